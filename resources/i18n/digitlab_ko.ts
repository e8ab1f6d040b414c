<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>Actions</name>
    <message>
        <source>{0} ({1})</source>
        <translation>{0} ({1})</translation>
    </message>
</context>
<context>
    <name>Attribution</name>
    <message>
        <source>weight × input: Σ {0:.3g} = logit − bias</source>
        <extracomment>Attribution methods, as shown to the user. Largest ``steps`` accepted (the whole path is one batch).</extracomment>
        <translation>가중치 × 입력: Σ {0:.3g} = 로짓 − 편향</translation>
    </message>
    <message>
        <source>Grad-CAM, last conv layer (3×3): where it looked</source>
        <translation>Grad-CAM, 마지막 합성곱 층(3×3): 모델이 본 곳</translation>
    </message>
    <message>
        <source>logit</source>
        <translation>로짓</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>확률</translation>
    </message>
    <message>
        <source>integrated gradients: Σ {0:.3g} ≈ {1} change {2:.3g}</source>
        <translation>적분 그래디언트: Σ {0:.3g} ≈ {1} 변화량 {2:.3g}</translation>
    </message>
</context>
<context>
    <name>CodeDialog</name>
    <message>
        <source>Copy</source>
        <translation>복사</translation>
    </message>
    <message>
        <source>Put the whole script on the clipboard</source>
        <translation>스크립트 전체를 클립보드에 복사합니다</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>닫기</translation>
    </message>
    <message>
        <source>{0} lines of Python</source>
        <translation>파이썬 코드 {0}줄</translation>
    </message>
    <message>
        <source>Copied to the clipboard: paste it into a notebook or a .py file and run it.</source>
        <translation>클립보드에 복사했습니다. 노트북이나 .py 파일에 붙여 넣고 실행하세요.</translation>
    </message>
    <message>
        <source>Training as Keras code</source>
        <translation>학습 과정을 Keras 코드로</translation>
    </message>
</context>
<context>
    <name>ConfusionMatrixView</name>
    <message>
        <source>Rows: true digit. Columns: predicted digit. Off-diagonal cells are mistakes.</source>
        <translation>행: 실제 숫자, 열: 예측한 숫자. 대각선 밖의 칸은 틀린 예측입니다.</translation>
    </message>
    <message>
        <source>Confusion matrix of the test set</source>
        <translation>테스트 세트의 혼동 행렬</translation>
    </message>
    <message>
        <source>{0} test images of a {1} recognised ({2:.1%} of the {1}s)</source>
        <translation>숫자 {1}의 테스트 이미지 {0}개를 맞게 인식했습니다 ({1} 전체의 {2:.1%})</translation>
    </message>
    <message>
        <source>{0} test images of a {1} taken for a {3} ({2:.1%} of the {1}s)</source>
        <translation>숫자 {1}의 테스트 이미지 {0}개를 {3}(으)로 잘못 보았습니다 ({1} 전체의 {2:.1%})</translation>
    </message>
</context>
<context>
    <name>DrawCanvas</name>
    <message>
        <source>Draw a digit with the mouse or a pen. Drop a digit image here to load it.</source>
        <extracomment>Side of the canvas image in pixels: ten times MNIST&apos;s 28, so a drawing shrinks to the models&apos; input the way the lesson&apos;s digits did. Width of the canvas image in number mode: room for four digits side by side.</extracomment>
        <translation>마우스나 펜으로 숫자를 그리세요. 숫자 이미지를 여기에 끌어다 놓으면 불러옵니다.</translation>
    </message>
    <message>
        <source>Drawing canvas</source>
        <translation>그리기 캔버스</translation>
    </message>
    <message>
        <source>Draw a digit with the mouse or a pen; the three models read it as you draw. Delete clears, Ctrl+Z undoes, Ctrl+R puts a random test digit here.</source>
        <translation>마우스나 펜으로 숫자를 그리세요. 그리는 동안 세 모델이 숫자를 읽습니다. Delete는 지우기, Ctrl+Z는 되돌리기, Ctrl+R은 무작위 테스트 숫자를 올립니다.</translation>
    </message>
</context>
<context>
    <name>DrawTab</name>
    <message>
        <source>Brush width in canvas pixels (the canvas is 280 wide)</source>
        <extracomment>Width of the column under the canvas: a digit&apos;s square, or a number&apos;s wide canvas. What the charts and maps keep beside a number&apos;s canvas (what the smallest window leaves them).</extracomment>
        <translation>캔버스 픽셀 단위의 붓 굵기 (캔버스 너비는 280)</translation>
    </message>
    <message>
        <source>Inside the CNN</source>
        <translation>합성곱 신경망의 내부</translation>
    </message>
    <message>
        <source>Why this digit</source>
        <translation>왜 이 숫자인가</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>지우기</translation>
    </message>
    <message>
        <source>Clear the canvas</source>
        <translation>캔버스를 지웁니다</translation>
    </message>
    <message>
        <source>Undo stroke</source>
        <translation>획 되돌리기</translation>
    </message>
    <message>
        <source>Undo the last stroke</source>
        <translation>마지막 획을 되돌립니다</translation>
    </message>
    <message>
        <source>Random test digit</source>
        <translation>무작위 테스트 숫자</translation>
    </message>
    <message>
        <source>Put a random MNIST test digit on the canvas</source>
        <translation>MNIST 테스트 숫자 하나를 무작위로 캔버스에 올립니다</translation>
    </message>
    <message>
        <source>Open digit image…</source>
        <translation>숫자 이미지 열기…</translation>
    </message>
    <message>
        <source>Open an image of a digit (or drop one onto the canvas)</source>
        <translation>숫자 이미지를 엽니다 (캔버스에 끌어다 놓아도 됩니다)</translation>
    </message>
    <message>
        <source>Black ink on white</source>
        <translation>흰 바탕에 검은 잉크</translation>
    </message>
    <message>
        <source>Draw black on white instead of MNIST&apos;s white on black</source>
        <translation>MNIST의 검은 바탕에 흰 글씨 대신 흰 바탕에 검게 그립니다</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>여러 자리 수</translation>
    </message>
    <message>
        <source>Widen the canvas to write a number (up to four digits)</source>
        <translation>캔버스를 넓혀 여러 자리 수(최대 네 자리)를 씁니다</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>붓</translation>
    </message>
    <message>
        <source>{0} px</source>
        <translation>{0} px</translation>
    </message>
    <message>
        <source>Cleared. Undo (Ctrl+Z) brings the drawing back.</source>
        <translation>지웠습니다. 되돌리기(Ctrl+Z)로 그림을 다시 불러올 수 있습니다.</translation>
    </message>
    <message>
        <source>Models could not be loaded: {0}</source>
        <translation>모델을 불러오지 못했습니다: {0}</translation>
    </message>
    <message>
        <source>Cannot load the MNIST test set: {0}</source>
        <translation>MNIST 테스트 세트를 불러올 수 없습니다: {0}</translation>
    </message>
    <message>
        <source>MNIST test digit #{0} (labelled {1})</source>
        <translation>MNIST 테스트 숫자 #{0} (레이블 {1})</translation>
    </message>
    <message>
        <source>Open a digit image</source>
        <translation>숫자 이미지 열기</translation>
    </message>
    <message>
        <source>{0}: no digit found (the image is blank)</source>
        <translation>{0}: 숫자를 찾지 못했습니다 (빈 이미지입니다)</translation>
    </message>
    <message>
        <source>Loaded {0}</source>
        <translation>{0}을(를) 불러왔습니다</translation>
    </message>
    <message>
        <source>Prediction failed: {0}</source>
        <translation>예측에 실패했습니다: {0}</translation>
    </message>
    <message>
        <source>draw a digit</source>
        <translation>숫자를 그리세요</translation>
    </message>
    <message>
        <source>Draw a number on the canvas</source>
        <translation>캔버스에 여러 자리 수를 그리세요</translation>
    </message>
    <message>
        <source>Draw a digit on the canvas</source>
        <translation>캔버스에 숫자를 그리세요</translation>
    </message>
    <message>
        <source>models failed to load</source>
        <translation>모델을 불러오지 못함</translation>
    </message>
    <message>
        <source>loading models…</source>
        <translation>모델을 불러오는 중…</translation>
    </message>
    <message>
        <source>The models could not be loaded</source>
        <translation>모델을 불러오지 못했습니다</translation>
    </message>
    <message>
        <source>Loading the models…</source>
        <translation>모델을 불러오는 중…</translation>
    </message>
    <message>
        <source>no model</source>
        <translation>모델 없음</translation>
    </message>
    <message>
        <source>{0} says {1}</source>
        <translation>{0}의 답: {1}</translation>
    </message>
    <message>
        <source>All models say {0}</source>
        <translation>모든 모델의 답: {0}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <source>{0} {1}</source>
        <translation>{0} {1}</translation>
    </message>
    <message>
        <source>The models disagree: {0}</source>
        <translation>모델의 답이 서로 다릅니다: {0}</translation>
    </message>
    <message>
        <source>This doesn&apos;t look like a digit or a number</source>
        <translation>숫자나 수처럼 보이지 않습니다</translation>
    </message>
    <message>
        <source>This doesn&apos;t look like a digit</source>
        <translation>숫자처럼 보이지 않습니다</translation>
    </message>
    <message>
        <source>This doesn&apos;t look like a number: digit {0} of {1} is not a digit</source>
        <translation>수처럼 보이지 않습니다: {1}자리 중 {0}번째가 숫자가 아닙니다</translation>
    </message>
    <message>
        <source>Number: {0}</source>
        <translation>읽은 수: {0}</translation>
    </message>
    <message>
        <source>Softmax always spreads 100% over the ten digits, so a tall bar is confidence, not certainty. The not-a-digit check gave digit {2} a digit score of {0:.3g}; a digit needs {1:.3g}.</source>
        <translation>소프트맥스는 언제나 100%를 숫자 열 개에 나누어 주므로, 높은 막대는 확신일 뿐 확실함이 아닙니다. 숫자 판별 검사는 {2}번째 자리에 숫자 점수 {0:.3g}을(를) 주었고, 숫자로 보려면 {1:.3g}이(가) 필요합니다.</translation>
    </message>
    <message>
        <source>Softmax always spreads 100% over the ten digits, so a tall bar is confidence, not certainty. The not-a-digit check gave this drawing a digit score of {0:.3g}; a digit needs {1:.3g}.</source>
        <translation>소프트맥스는 언제나 100%를 숫자 열 개에 나누어 주므로, 높은 막대는 확신일 뿐 확실함이 아닙니다. 숫자 판별 검사는 이 그림에 숫자 점수 {0:.3g}을(를) 주었고, 숫자로 보려면 {1:.3g}이(가) 필요합니다.</translation>
    </message>
    <message>
        <source>{0} digits found, told apart by the strokes that drew them (the models see only pixels); the bars show the first (leftmost), each box shows the three models&apos; digits (Multinomial · DNN · CNN).</source>
        <translation>그린 획으로 숫자 {0}개를 나누어 찾았습니다(모델은 픽셀만 봅니다). 막대는 첫 번째 숫자를, 각 상자는 세 모델이 읽은 숫자(다항 로지스틱 회귀 · 심층 신경망 · 합성곱 신경망)를 보여 줍니다.</translation>
    </message>
    <message>
        <source>{0} digits found; the bars show the first (leftmost), each box shows the three models&apos; digits (Multinomial · DNN · CNN).</source>
        <translation>숫자 {0}개를 찾았습니다. 막대는 첫 번째 숫자를, 각 상자는 세 모델이 읽은 숫자(다항 로지스틱 회귀 · 심층 신경망 · 합성곱 신경망)를 보여 줍니다.</translation>
    </message>
</context>
<context>
    <name>FeatureMapGrid</name>
    <message>
        <source>Inside the CNN: feature maps</source>
        <extracomment>The lesson CNN&apos;s layers, shown before the first drawing.</extracomment>
        <translation>합성곱 신경망의 내부: 특성 맵</translation>
    </message>
    <message>
        <source>Inside the CNN: feature maps (each scaled to its own maximum; bright = strong activation)</source>
        <translation>합성곱 신경망의 내부: 특성 맵 (맵마다 자신의 최댓값에 맞춤, 밝을수록 강한 활성화)</translation>
    </message>
    <message>
        <source>CNN layers: {0}</source>
        <translation>합성곱 신경망의 층: {0}</translation>
    </message>
</context>
<context>
    <name>FeatureMapsWindow</name>
    <message>
        <source>All feature maps</source>
        <translation>모든 특성 맵</translation>
    </message>
    <message>
        <source>tf.nn.conv2d output</source>
        <translation>tf.nn.conv2d 출력</translation>
    </message>
    <message>
        <source>after tf.nn.max_pool</source>
        <translation>tf.nn.max_pool 이후</translation>
    </message>
    <message>
        <source>Use the trained CNN&apos;s 32 kernels</source>
        <translation>학습된 합성곱 신경망의 커널 32개 사용</translation>
    </message>
    <message>
        <source>Put the CNN&apos;s first-layer kernels in the kernel editor</source>
        <translation>합성곱 신경망 첫 층의 커널을 커널 편집기에 넣습니다</translation>
    </message>
    <message>
        <source>Back to my kernels</source>
        <translation>내 커널로 돌아가기</translation>
    </message>
    <message>
        <source>Put back the kernels you had before the CNN&apos;s</source>
        <translation>합성곱 신경망의 커널을 넣기 전에 쓰던 커널로 되돌립니다</translation>
    </message>
    <message>
        <source>Hover a map for its value · scroll to zoom · drag to pan</source>
        <translation>맵 위에 마우스를 올리면 값이 보입니다 · 스크롤로 확대 · 끌어서 이동</translation>
    </message>
    <message>
        <source>Each map has its own colour scale (99th percentile of |value|): red = positive, blue = negative response of that kernel.</source>
        <translation>맵마다 색 범위가 따로 있습니다 (|값|의 99번째 백분위수). 빨강은 그 커널의 양의 반응, 파랑은 음의 반응입니다.</translation>
    </message>
    <message>
        <source>no filter result yet</source>
        <translation>아직 필터 결과가 없습니다</translation>
    </message>
    <message>
        <source>no trained CNN loaded</source>
        <translation>학습된 합성곱 신경망이 없습니다</translation>
    </message>
    <message>
        <source>map {0}</source>
        <translation>맵 {0}</translation>
    </message>
    <message>
        <source>{0} feature map(s), pooled shape {1}</source>
        <translation>특성 맵 {0}개, 풀링 후 모양 {1}</translation>
    </message>
    <message>
        <source>{0} feature map(s), conv shape {1}</source>
        <translation>특성 맵 {0}개, 합성곱 모양 {1}</translation>
    </message>
</context>
<context>
    <name>FileDialogs</name>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;All files (*)</source>
        <extracomment>The images the app opens (photos in the Filters tab, digits in the Draw tab): what ``engine.images`` loads. (Translate at use: ``translate(&quot;FileDialogs&quot;, IMAGE_FILTER)``.)</extracomment>
        <translation>이미지 (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;모든 파일 (*)</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <extracomment>Exported figures.</extracomment>
        <translation>PNG 이미지 (*.png)</translation>
    </message>
</context>
<context>
    <name>FilterSettingsPanel</name>
    <message>
        <source>Step of the kernel window (strides).</source>
        <extracomment>Generous limits: large values are legal for big photos and give a clear FilterError (quoting the value) on small ones, rather than being unreachable.</extracomment>
        <translation>커널 창이 한 번에 움직이는 칸 수 (스트라이드).</translation>
    </message>
    <message>
        <source>VALID: no padding; SAME: zero-pad, H&apos; = ceil(H/stride).</source>
        <translation>VALID: 패딩 없음, SAME: 0으로 패딩, H&apos; = ceil(H/stride).</translation>
    </message>
    <message>
        <source>Max-pool window size (ksize), e.g. 3 -&gt; 3x3.</source>
        <translation>최대 풀링 창 크기 (ksize), 예: 3 -&gt; 3x3.</translation>
    </message>
    <message>
        <source>Max-pool stride.</source>
        <translation>최대 풀링 스트라이드.</translation>
    </message>
    <message>
        <source>= window</source>
        <translation>= 창 크기</translation>
    </message>
    <message>
        <source>Max-pool padding.</source>
        <translation>최대 풀링 패딩.</translation>
    </message>
    <message>
        <source>Conv stride</source>
        <translation>합성곱 스트라이드</translation>
    </message>
    <message>
        <source>Conv padding</source>
        <translation>합성곱 패딩</translation>
    </message>
    <message>
        <source>Pool window</source>
        <translation>풀링 창</translation>
    </message>
    <message>
        <source>Pool stride</source>
        <translation>풀링 스트라이드</translation>
    </message>
    <message>
        <source>Pool padding</source>
        <translation>풀링 패딩</translation>
    </message>
</context>
<context>
    <name>FilterView</name>
    <message>
        <source>input</source>
        <extracomment>Panel names, left to right.
----------
Panel names in the hover line.</extracomment>
        <translation>입력</translation>
    </message>
    <message>
        <source>conv</source>
        <translation>합성곱</translation>
    </message>
    <message>
        <source>pool</source>
        <translation>풀링</translation>
    </message>
    <message>
        <source>Hover a pixel for its (y, x) and value · scroll to zoom · drag to pan</source>
        <translation>픽셀 위에 마우스를 올리면 (y, x)와 값이 보입니다 · 스크롤로 확대 · 끌어서 이동</translation>
    </message>
    <message>
        <source>feature map </source>
        <translation>특성 맵 </translation>
    </message>
    <message>
        <source>Each kernel gives one feature map (one output channel).</source>
        <translation>커널 하나가 특성 맵 하나(출력 채널 하나)를 만듭니다.</translation>
    </message>
    <message>
        <source>Input, feature map and pooled map</source>
        <translation>입력, 특성 맵, 풀링한 맵</translation>
    </message>
    <message>
        <source>input {0}</source>
        <translation>입력 {0}</translation>
    </message>
    <message>
        <source>one channel</source>
        <translation>채널 하나</translation>
    </message>
    <message>
        <source>kernel {0}</source>
        <translation>커널 {0}</translation>
    </message>
    <message>
        <source>{0}×{0} window, stride {1}</source>
        <translation>{0}×{0} 창, 스트라이드 {1}</translation>
    </message>
    <message>
        <source>of {0}</source>
        <translation>/ {0}</translation>
    </message>
    <message>
        <source>{0} (y={1}, x={2}) = {3:.4g}</source>
        <translation>{0} (y={1}, x={2}) = {3:.4g}</translation>
    </message>
    <message>
        <source>{0}   ← input rows {1}..{2}, cols {3}..{4}</source>
        <translation>{0}   ← 입력의 {1}..{2}행, {3}..{4}열</translation>
    </message>
    <message>
        <source>{0}   ← max of conv rows {1}..{2}, cols {3}..{4}</source>
        <translation>{0}   ← 합성곱 결과 {1}..{2}행, {3}..{4}열의 최댓값</translation>
    </message>
</context>
<context>
    <name>FilterWorker</name>
    <message>
        <source>{0}: cannot open ({1}: {2})</source>
        <translation>{0}: 열 수 없습니다 ({1}: {2})</translation>
    </message>
</context>
<context>
    <name>FiltersTab</name>
    <message>
        <source>Red</source>
        <extracomment>Channel menu text -&gt; ``engine.images.extract_channel`` channel; R first, as the lesson slices R. (Texts keep the &quot;FiltersTab&quot; translation context they were written in.)</extracomment>
        <translation>빨강 (R)</translation>
    </message>
    <message>
        <source>Green</source>
        <translation>초록 (G)</translation>
    </message>
    <message>
        <source>Blue</source>
        <translation>파랑 (B)</translation>
    </message>
    <message>
        <source>Grey (R+G+B)/3</source>
        <translation>흑백 (R+G+B)/3</translation>
    </message>
    <message>
        <source>Luminance</source>
        <translation>밝기 (휘도)</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>열기…</translation>
    </message>
    <message>
        <source>Open a photo (or drop one on this tab).</source>
        <translation>사진을 엽니다 (이 탭에 끌어다 놓아도 됩니다).</translation>
    </message>
    <message>
        <source>The lesson filters one channel: image[:, :, 0] (red).</source>
        <translation>수업에서는 채널 하나에 필터를 적용합니다: image[:, :, 0] (빨강).</translation>
    </message>
    <message>
        <source>Loading photo…</source>
        <translation>사진을 불러오는 중…</translation>
    </message>
    <message>
        <source>Worked example…</source>
        <translation>손으로 풀어 보기…</translation>
    </message>
    <message>
        <source>Export figure…</source>
        <translation>그림 내보내기…</translation>
    </message>
    <message>
        <source>All feature maps…</source>
        <translation>모든 특성 맵…</translation>
    </message>
    <message>
        <source>Every kernel&apos;s feature map at once: the trained CNN&apos;s 32 kernels on this photo</source>
        <translation>모든 커널의 특성 맵을 한꺼번에 봅니다: 학습된 합성곱 신경망의 커널 32개를 이 사진에 적용</translation>
    </message>
    <message>
        <source>Copy as code…</source>
        <translation>코드로 복사…</translation>
    </message>
    <message>
        <source>Copy the TensorFlow code (tf.nn.conv2d, tf.nn.max_pool) for what is on screen</source>
        <translation>화면에 보이는 결과의 TensorFlow 코드(tf.nn.conv2d, tf.nn.max_pool)를 복사합니다</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>채널</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>사진</translation>
    </message>
    <message>
        <source>Kernels (one feature map each)</source>
        <translation>커널 (커널마다 특성 맵 하나)</translation>
    </message>
    <message>
        <source>Stride, padding, max pool</source>
        <translation>스트라이드, 패딩, 최대 풀링</translation>
    </message>
    <message>
        <source>Loading {0}…</source>
        <translation>{0} 불러오는 중…</translation>
    </message>
    <message>
        <source>Nothing to export yet: no filter result is on screen.</source>
        <translation>아직 내보낼 것이 없습니다: 화면에 필터 결과가 없습니다.</translation>
    </message>
    <message>
        <source>Cannot write {0}: {1}</source>
        <translation>{0}에 쓸 수 없습니다: {1}</translation>
    </message>
    <message>
        <source>Worked example: convolution and max pooling by hand</source>
        <translation>손으로 풀어 보기: 합성곱과 최대 풀링</translation>
    </message>
    <message>
        <source>The Filters tab as TensorFlow code</source>
        <translation>필터 탭을 TensorFlow 코드로</translation>
    </message>
    <message>
        <source>Open photo</source>
        <translation>사진 열기</translation>
    </message>
    <message>
        <source>Export figure</source>
        <translation>그림 내보내기</translation>
    </message>
    <message>
        <source>{0}: working size {1}×{2} (original {3}×{4})</source>
        <translation>{0}: 작업 크기 {1}×{2} (원본 {3}×{4})</translation>
    </message>
    <message>
        <source>{0}: {1}×{2}</source>
        <translation>{0}: {1}×{2}</translation>
    </message>
    <message>
        <source>No photo: {0} could not be opened.</source>
        <translation>사진 없음: {0}을(를) 열 수 없습니다.</translation>
    </message>
    <message>
        <source>Loading TensorFlow…</source>
        <translation>TensorFlow를 불러오는 중…</translation>
    </message>
    <message>
        <source>{0} Showing the last valid result.</source>
        <translation>{0} 마지막으로 올바르게 계산된 결과를 보여 줍니다.</translation>
    </message>
</context>
<context>
    <name>FinetunePanel</name>
    <message>
        <source>MNIST test set</source>
        <translation>MNIST 테스트 세트</translation>
    </message>
    <message>
        <source>My drawings</source>
        <translation>내 그림</translation>
    </message>
    <message>
        <source>Fine-tune on MNIST + my handwriting</source>
        <translation>MNIST + 내 손글씨로 미세 조정</translation>
    </message>
    <message>
        <source>Manage…</source>
        <translation>관리…</translation>
    </message>
    <message>
        <source>Review and delete your saved drawings</source>
        <translation>저장한 그림을 보고 지웁니다</translation>
    </message>
    <message>
        <source>MNIST training digits mixed with yours (so it keeps what it knew)</source>
        <translation>내 그림에 섞을 MNIST 학습 숫자 수 (이미 아는 것을 잊지 않도록)</translation>
    </message>
    <message>
        <source>Each of your drawings is repeated this many times per epoch</source>
        <translation>에포크마다 내 그림을 각각 이 횟수만큼 반복합니다</translation>
    </message>
    <message>
        <source>Fine-tune</source>
        <translation>미세 조정</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>중지</translation>
    </message>
    <message>
        <source>before</source>
        <translation>이전</translation>
    </message>
    <message>
        <source>after</source>
        <translation>이후</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>이 모델 사용</translation>
    </message>
    <message>
        <source>Use the fine-tuned model in the Draw tab and save it</source>
        <translation>미세 조정한 모델을 그리기 탭에서 쓰고 저장합니다</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>에포크</translation>
    </message>
    <message>
        <source>MNIST digits</source>
        <translation>MNIST 숫자 수</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>학습률</translation>
    </message>
    <message>
        <source>Weight of mine</source>
        <translation>내 그림 가중치</translation>
    </message>
    <message>
        <source>My drawings: {0}</source>
        <translation>내 그림: {0}</translation>
    </message>
    <message>
        <source>Save some drawings first (Draw tab, Ctrl+S).</source>
        <translation>먼저 그림을 몇 개 저장하세요 (그리기 탭, Ctrl+S).</translation>
    </message>
    <message>
        <source>Measuring the {0} model before fine-tuning…</source>
        <translation>미세 조정 전에 {0} 모델을 측정하는 중…</translation>
    </message>
    <message>
        <source>Stopping after this batch…</source>
        <translation>이번 배치가 끝나면 멈춥니다…</translation>
    </message>
    <message>
        <source>Using the fine-tuned {0} model.</source>
        <translation>미세 조정한 {0} 모델을 사용합니다.</translation>
    </message>
    <message>
        <source>Waiting for the models to load</source>
        <translation>모델을 불러올 때까지 기다리는 중</translation>
    </message>
    <message>
        <source>Save some drawings first (Draw tab, Ctrl+S)</source>
        <translation>먼저 그림을 몇 개 저장하세요 (그리기 탭, Ctrl+S)</translation>
    </message>
    <message>
        <source>Continue training a copy of the model on MNIST and your drawings</source>
        <translation>모델의 복사본을 MNIST와 내 그림으로 이어서 학습합니다</translation>
    </message>
    <message>
        <source>Epoch {0} of {1}</source>
        <translation>에포크 {0}/{1}</translation>
    </message>
    <message>
        <source>Epoch {0} of {1}, loss {2:.4f}</source>
        <translation>에포크 {0}/{1}, 손실 {2:.4f}</translation>
    </message>
    <message>
        <source>MNIST test {0:.2%} → {1:.2%}; your drawings {2:.2%} → {3:.2%} (measured on the drawings it trained on).</source>
        <translation>MNIST 테스트 {0:.2%} → {1:.2%}, 내 그림 {2:.2%} → {3:.2%} (학습에 쓴 그림으로 측정).</translation>
    </message>
    <message>
        <source>{0} {1}</source>
        <translation>{0} {1}</translation>
    </message>
</context>
<context>
    <name>GraphicsScene</name>
    <message>
        <source>Export...</source>
        <extracomment>Texts pyqtgraph shows through ``QCoreApplication.translate`` (its plots&apos; context menu): marked for lupdate, and remembered below so that a language switch reaches them too.</extracomment>
        <translation>내보내기...</translation>
    </message>
</context>
<context>
    <name>KernelEditor</name>
    <message>
        <source>trained CNN conv1 kernels</source>
        <extracomment>The preset that takes all 32 first-layer kernels of the trained CNN at once.</extracomment>
        <translation>학습된 합성곱 신경망의 conv1 커널</translation>
    </message>
    <message>
        <source>Choose a preset…</source>
        <translation>미리 정의된 커널 고르기…</translation>
    </message>
    <message>
        <source>vertical edge (lesson)</source>
        <extracomment>The engine&apos;s preset names, as the editor shows them (translated; the key stays English).</extracomment>
        <translation>세로 경계 (수업)</translation>
    </message>
    <message>
        <source>lesson filter 1</source>
        <translation>수업 필터 1</translation>
    </message>
    <message>
        <source>lesson filter 2</source>
        <translation>수업 필터 2</translation>
    </message>
    <message>
        <source>lesson filter 3</source>
        <translation>수업 필터 3</translation>
    </message>
    <message>
        <source>lesson filters 1-3</source>
        <translation>수업 필터 1-3</translation>
    </message>
    <message>
        <source>sobel x</source>
        <translation>소벨 x</translation>
    </message>
    <message>
        <source>sobel y</source>
        <translation>소벨 y</translation>
    </message>
    <message>
        <source>laplacian</source>
        <translation>라플라시안</translation>
    </message>
    <message>
        <source>box blur</source>
        <translation>박스 블러</translation>
    </message>
    <message>
        <source>gaussian blur</source>
        <translation>가우시안 블러</translation>
    </message>
    <message>
        <source>sharpen</source>
        <translation>선명하게</translation>
    </message>
    <message>
        <source>emboss</source>
        <translation>엠보스</translation>
    </message>
    <message>
        <source>identity</source>
        <translation>항등</translation>
    </message>
    <message>
        <source>custom</source>
        <translation>직접 입력</translation>
    </message>
    <message>
        <source>Replace the selected kernel with a classic one.</source>
        <translation>선택한 커널을 잘 알려진 커널로 바꿉니다.</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>추가</translation>
    </message>
    <message>
        <source>Add a copy of the selected kernel: one more feature map.</source>
        <translation>선택한 커널의 복사본을 추가합니다: 특성 맵이 하나 늘어납니다.</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>삭제</translation>
    </message>
    <message>
        <source> rows</source>
        <translation>행</translation>
    </message>
    <message>
        <source> cols</source>
        <translation>열</translation>
    </message>
    <message>
        <source>Rows separated by &apos;;&apos;, values by &apos;,&apos; or spaces.</source>
        <translation>행은 &apos;;&apos;로, 값은 &apos;,&apos; 또는 공백으로 구분합니다.</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>크기</translation>
    </message>
    <message>
        <source>Still typing</source>
        <translation>입력 중</translation>
    </message>
    <message>
        <source>Received {0!r} in row {1}, column {2}; kernel values must be finite numbers.</source>
        <translation>{1}행 {2}열에 {0!r}이(가) 입력되었습니다. 커널 값은 유한한 수여야 합니다.</translation>
    </message>
    <message>
        <source>{0} — still using the last valid kernel: {1}</source>
        <translation>{0} — 마지막으로 올바른 커널을 계속 씁니다: {1}</translation>
    </message>
    <message>
        <source>{0}. {1} ({2}×{3})</source>
        <translation>{0}. {1} ({2}×{3})</translation>
    </message>
</context>
<context>
    <name>LabCommands</name>
    <message>
        <source>Save drawing as digit…</source>
        <translation>그림을 숫자로 저장…</translation>
    </message>
    <message>
        <source>Save the drawing&apos;s 28x28 model input, labelled, to your personal set</source>
        <translation>그림의 28x28 모델 입력을 레이블과 함께 내 손글씨 모음에 저장합니다</translation>
    </message>
    <message>
        <source>My handwriting…</source>
        <translation>내 손글씨…</translation>
    </message>
    <message>
        <source>Review and delete the drawings saved in your personal set</source>
        <translation>내 손글씨 모음에 저장한 그림을 보고 지웁니다</translation>
    </message>
    <message>
        <source>Robustness sweep…</source>
        <translation>강건성 스윕…</translation>
    </message>
    <message>
        <source>Shift, rotate, scale or thicken the drawing and watch each model&apos;s confidence</source>
        <translation>그림을 이동·회전·확대·굵게 바꾸면서 각 모델의 확신도를 살펴봅니다</translation>
    </message>
    <message>
        <source>What the models learned…</source>
        <translation>모델이 학습한 것…</translation>
    </message>
    <message>
        <source>The multinomial templates, the DNN&apos;s first layer and the CNN&apos;s kernels</source>
        <translation>다항 로지스틱 회귀의 템플릿, 심층 신경망의 첫 층, 합성곱 신경망의 커널</translation>
    </message>
    <message>
        <source>Draw a digit first, then save it with its label.</source>
        <translation>먼저 숫자를 그린 다음 레이블과 함께 저장하세요.</translation>
    </message>
    <message>
        <source>Saved as a {0} (1 drawing in your set; fine-tune on it in the Train tab).</source>
        <translation>{0}(으)로 저장했습니다 (모음에 그림 1개. 학습 탭에서 이 그림으로 미세 조정할 수 있습니다).</translation>
    </message>
    <message>
        <source>Saved as a {0} ({1} drawings in your set; fine-tune on them in the Train tab).</source>
        <translation>{0}(으)로 저장했습니다 (모음에 그림 {1}개. 학습 탭에서 이 그림들로 미세 조정할 수 있습니다).</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>&amp;Language</source>
        <extracomment>Qt&apos;s own catalogue, for QMessageBox / QFileDialog / QDialogButtonBox texts.</extracomment>
        <translation>언어(&amp;L)</translation>
    </message>
</context>
<context>
    <name>LearnedMapsGrid</name>
    <message>
        <source>{0} — {1}</source>
        <translation>{0} — {1}</translation>
    </message>
</context>
<context>
    <name>LearnedView</name>
    <message>
        <source>Multinomial: the ten weight templates (784 → 10)</source>
        <translation>다항 로지스틱 회귀: 가중치 템플릿 10개 (784 → 10)</translation>
    </message>
    <message>
        <source>DNN: the 64 first-layer units (784 → 64)</source>
        <translation>심층 신경망: 첫 층의 유닛 64개 (784 → 64)</translation>
    </message>
    <message>
        <source>CNN: the 32 first-layer kernels (3×3)</source>
        <translation>합성곱 신경망: 첫 층의 커널 32개 (3×3)</translation>
    </message>
    <message>
        <source>Template d is column d of the Dense kernel: the score for d is template · image + bias. Ink on red pixels raises it, on blue lowers it. One colour scale for all ten.</source>
        <translation>템플릿 d는 Dense 층 가중치의 d번째 열입니다. d의 점수는 템플릿 · 이미지 + 편향입니다. 빨간 픽셀 위의 잉크는 점수를 올리고, 파란 픽셀 위의 잉크는 내립니다. 열 개 모두 같은 색 범위를 씁니다.</translation>
    </message>
    <message>
        <source>Each tile is one unit&apos;s 784 input weights, the pattern it responds to before the ReLU. Each tile is scaled to its own range.</source>
        <translation>각 칸은 유닛 하나의 입력 가중치 784개로, ReLU 전에 그 유닛이 반응하는 무늬입니다. 칸마다 자신의 범위에 맞춰 그립니다.</translation>
    </message>
    <message>
        <source>Each 3×3 kernel slides over the whole image (weights shared across positions): learned edge and blob detectors, like the lesson&apos;s hand-made filters. Apply them to a photo in the Filters tab.</source>
        <translation>3×3 커널 각각이 이미지 전체를 훑고 지나갑니다 (모든 위치가 가중치를 공유). 수업에서 손으로 만든 필터처럼 경계와 덩어리를 찾도록 학습된 커널입니다. 필터 탭에서 사진에 적용해 보세요.</translation>
    </message>
    <message>
        <source>What the models learned</source>
        <extracomment>kind -&gt; (columns, shared colour scale, captions on the tiles, zoom).</extracomment>
        <translation>모델이 학습한 것</translation>
    </message>
    <message>
        <source>Hover a tile for the weight under the pointer; scroll to zoom, drag to pan.</source>
        <translation>칸 위에 마우스를 올리면 그 자리의 가중치가 보입니다. 스크롤로 확대, 끌어서 이동합니다.</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>불러오는 중…</translation>
    </message>
    <message>
        <source>no model</source>
        <translation>모델 없음</translation>
    </message>
    <message>
        <source>digit {0}</source>
        <translation>숫자 {0}</translation>
    </message>
    <message>
        <source>unit {0}</source>
        <translation>유닛 {0}</translation>
    </message>
    <message>
        <source>kernel {0}</source>
        <translation>커널 {0}</translation>
    </message>
    <message>
        <source>not calibrated (a model trained here: T = 1)</source>
        <translation>보정 안 됨 (여기서 학습한 모델: T = 1)</translation>
    </message>
</context>
<context>
    <name>LogitsTable</name>
    <message>
        <source>Raw logits: draw a digit.</source>
        <translation>원래 로짓: 숫자를 그리세요.</translation>
    </message>
    <message>
        <source>{0} (T = {1:.2f})</source>
        <translation>{0} (T = {1:.2f})</translation>
    </message>
    <message>
        <source>Raw logits (log-probabilities before the softmax). The bars show softmax(logits / T), calibrated with each model&apos;s temperature T.</source>
        <translation>원래 로짓(소프트맥스 전의 로그 확률)입니다. 막대는 모델마다의 온도 T로 보정한 softmax(logits / T)를 보여 줍니다.</translation>
    </message>
</context>
<context>
    <name>LongJob</name>
    <message>
        <source>Fine-tuning failed: </source>
        <translation>미세 조정에 실패했습니다: </translation>
    </message>
    <message>
        <source>Training failed: </source>
        <extracomment>The ``progress`` event that says training is over and the test set is being evaluated.</extracomment>
        <translation>학습에 실패했습니다: </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;Draw</source>
        <translation>그리기(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Filters</source>
        <extracomment>Every tab stays fully usable down to this size: a 1024x640 screen less a taskbar and a title bar (tests/gui/test_small_screens.py opens each tab at it). Fits a 1366x768 laptop screen with a taskbar and a title bar. The tab titles, in tab order (each page&apos;s own ``title``; the later pages&apos; are repeated here so that the tab bar and the menus exist before those pages are built).</extracomment>
        <translation>필터(&amp;F)</translation>
    </message>
    <message>
        <source>Digit Lab</source>
        <extracomment>After the first prediction, the pages not built yet follow this much later... ...or this long after the window was made, if no model ever arrives.</extracomment>
        <translation>Digit Lab</translation>
    </message>
    <message>
        <source>Loading models… (drawing works; predictions start when they are in)</source>
        <translation>모델을 불러오는 중… (그리기는 지금 할 수 있고, 모델이 준비되면 예측이 시작됩니다)</translation>
    </message>
    <message>
        <source>&amp;Open photo…</source>
        <translation>사진 열기(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Export figure…</source>
        <translation>그림 내보내기(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>끝내기(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>파일(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>보기(&amp;V)</translation>
    </message>
    <message>
        <source>Open photo</source>
        <translation>사진 열기</translation>
    </message>
    <message>
        <source>Export figure</source>
        <translation>그림 내보내기</translation>
    </message>
    <message>
        <source>Saved the figure to {0}.</source>
        <translation>그림을 {0}에 저장했습니다.</translation>
    </message>
    <message>
        <source>Could not save {0}.</source>
        <translation>{0}을(를) 저장하지 못했습니다.</translation>
    </message>
    <message>
        <source>Training: epoch {0}, {1:.0%} of the max epochs  |</source>
        <translation>학습 중: 에포크 {0}, 최대 에포크의 {1:.0%}  |</translation>
    </message>
    <message>
        <source>Quit during training?</source>
        <translation>학습 중에 끝낼까요?</translation>
    </message>
    <message>
        <source>A model is still training. Quitting stops it and its progress is lost.

Quit anyway?</source>
        <translation>아직 모델을 학습하고 있습니다. 끝내면 학습이 멈추고 진행한 내용을 잃습니다.

그래도 끝낼까요?</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>학습(&amp;T)</translation>
    </message>
</context>
<context>
    <name>MisclassifiedGallery</name>
    <message>
        <source>Test digits the model got wrong, most confident mistakes first. Click one to open it in the Draw tab.</source>
        <translation>모델이 틀린 테스트 숫자입니다. 가장 자신 있게 틀린 것부터 보여 줍니다. 하나를 누르면 그리기 탭에서 열립니다.</translation>
    </message>
    <message>
        <source>true {0} → predicted {1}</source>
        <translation>실제 {0} → 예측 {1}</translation>
    </message>
</context>
<context>
    <name>ModelSaver</name>
    <message>
        <source>Keras models (*.keras)</source>
        <extracomment>What the Save as… dialog offers (translate at use).</extracomment>
        <translation>Keras 모델 (*.keras)</translation>
    </message>
    <message>
        <source>Save the {0} model as</source>
        <extracomment>The open &quot;could not save&quot; warning, or None.</extracomment>
        <translation>{0} 모델을 다른 이름으로 저장</translation>
    </message>
    <message>
        <source>Model not saved</source>
        <translation>모델을 저장하지 못함</translation>
    </message>
    <message>
        <source>Could not save the {0} model: {1}

The trained model is kept in memory and can still be used until Digit Lab closes. Save it somewhere else?</source>
        <translation>{0} 모델을 저장하지 못했습니다: {1}

학습한 모델은 메모리에 남아 있어 Digit Lab을 닫을 때까지 쓸 수 있습니다. 다른 곳에 저장할까요?</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>다른 이름으로 저장…</translation>
    </message>
</context>
<context>
    <name>ModelSources</name>
    <message>
        <source>Your {0} model could not be loaded ({1}); using the shipped one.</source>
        <translation>내 {0} 모델을 불러오지 못해 ({1}) 기본 제공 모델을 사용합니다.</translation>
    </message>
    <message>
        <source>No {0} model: {1} is missing (train one in the Train tab).</source>
        <translation>{0} 모델 없음: {1} 파일이 없습니다 (학습 탭에서 학습하세요).</translation>
    </message>
</context>
<context>
    <name>ModelStore</name>
    <message>
        <source>multinomial</source>
        <extracomment>Test images per chunk when an accuracy is measured (a stop request is checked between).</extracomment>
        <translation>다항 로지스틱 회귀</translation>
    </message>
    <message>
        <source>DNN</source>
        <translation>심층 신경망</translation>
    </message>
    <message>
        <source>CNN</source>
        <translation>합성곱 신경망</translation>
    </message>
    <message>
        <source>{0}: none</source>
        <translation>{0}: 없음</translation>
    </message>
    <message>
        <source>{0}: loading…</source>
        <translation>{0}: 불러오는 중…</translation>
    </message>
    <message>
        <source>accuracy …</source>
        <translation>정확도 …</translation>
    </message>
    <message>
        <source>shipped</source>
        <translation>기본 제공</translation>
    </message>
    <message>
        <source>yours, not saved</source>
        <translation>내 모델, 저장 안 됨</translation>
    </message>
    <message>
        <source>yours</source>
        <translation>내 모델</translation>
    </message>
    <message>
        <source>{0} {1} ({2})</source>
        <translation>{0} {1} ({2})</translation>
    </message>
    <message>
        <source>Models: {0}</source>
        <translation>모델: {0}</translation>
    </message>
    <message>
        <source>Restoring the shipped models; yours were kept as {0} in {1}.</source>
        <translation>기본 제공 모델로 되돌립니다. 내 모델은 {1}에 {0}(으)로 보관했습니다.</translation>
    </message>
    <message>
        <source>Could not use the {0} model: {1}</source>
        <translation>{0} 모델을 쓸 수 없습니다: {1}</translation>
    </message>
    <message>
        <source>Using your {0} model; saving it to {1}…</source>
        <translation>내 {0} 모델을 사용합니다. {1}에 저장하는 중…</translation>
    </message>
    <message>
        <source>Loading models…</source>
        <translation>모델을 불러오는 중…</translation>
    </message>
    <message>
        <source>Loading the shipped models…</source>
        <translation>기본 제공 모델을 불러오는 중…</translation>
    </message>
    <message>
        <source>No models could be loaded.</source>
        <translation>모델을 하나도 불러오지 못했습니다.</translation>
    </message>
    <message>
        <source>Saved your {0} model to {1}; it loads at the next start.</source>
        <translation>내 {0} 모델을 {1}에 저장했습니다. 다음에 시작할 때 불러옵니다.</translation>
    </message>
    <message>
        <source>Your {0} model is in use but could not be saved ({1}); it will be gone after Digit Lab closes.</source>
        <translation>내 {0} 모델을 사용 중이지만 저장하지 못했습니다 ({1}). Digit Lab을 닫으면 사라집니다.</translation>
    </message>
    <message>
        <source>No not-a-digit check ({0}).</source>
        <extracomment>Longest wait for :meth:`continue_loading` before TensorFlow is imported anyway.</extracomment>
        <translation>숫자 판별 검사 없음 ({0}).</translation>
    </message>
</context>
<context>
    <name>Models</name>
    <message>
        <source>Multinomial</source>
        <extracomment>Formatted texts remembered (oldest forgotten first): a training run formats a few texts per second, and only the ones still on screen matter. Nested formats followed when translating again (guards a text that is its own argument). ``digitlab.engine.MODEL_NAMES`` (the display names of the lesson&apos;s three models), marked here so that lupdate offers them for translation.</extracomment>
        <translation>다항 로지스틱 회귀</translation>
    </message>
    <message>
        <source>DNN</source>
        <translation>심층 신경망</translation>
    </message>
    <message>
        <source>CNN</source>
        <translation>합성곱 신경망</translation>
    </message>
</context>
<context>
    <name>PersonalSetDialog</name>
    <message>
        <source>no drawings yet</source>
        <translation>아직 그림이 없습니다</translation>
    </message>
    <message>
        <source>1 drawing — {1}</source>
        <translation>그림 1개 — {1}</translation>
    </message>
    <message>
        <source>{0} drawings — {1}</source>
        <translation>그림 {0}개 — {1}</translation>
    </message>
    <message>
        <source>My handwriting</source>
        <translation>내 손글씨</translation>
    </message>
    <message>
        <source>all digits</source>
        <translation>모든 숫자</translation>
    </message>
    <message>
        <source>only {0}</source>
        <translation>{0}만</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>삭제</translation>
    </message>
    <message>
        <source>Delete the selected drawings (Del)</source>
        <translation>선택한 그림을 지웁니다 (Del)</translation>
    </message>
    <message>
        <source>Folder: {0}</source>
        <translation>폴더: {0}</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>닫기</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>보기</translation>
    </message>
    <message>
        <source>Save drawings from the Draw tab (Ctrl+S); fine-tune a model on them in the Train tab.</source>
        <translation>그리기 탭에서 그림을 저장하고(Ctrl+S), 학습 탭에서 그 그림으로 모델을 미세 조정하세요.</translation>
    </message>
    <message>
        <source>Skipped {0} file(s): {1}</source>
        <translation>파일 {0}개를 건너뛰었습니다: {1}</translation>
    </message>
    <message>
        <source>Could not delete {0}: {1}</source>
        <translation>{0}을(를) 지우지 못했습니다: {1}</translation>
    </message>
</context>
<context>
    <name>PreprocessStrip</name>
    <message>
        <source>ink cropped</source>
        <extracomment>Panel keys in display order, with their captions&apos; fixed part.</extracomment>
        <translation>잉크 부분 잘라내기</translation>
    </message>
    <message>
        <source>fitted to 20 px</source>
        <translation>20 px에 맞추기</translation>
    </message>
    <message>
        <source>centred in 28x28 (model input)</source>
        <translation>28x28 가운데 놓기 (모델 입력)</translation>
    </message>
    <message>
        <source>strokes thickened, fitted to 20 px</source>
        <extracomment>The fitted stage&apos;s caption when the strokes were too fine for the 20 px box and were thickened first (``PreprocessResult.widened``).</extracomment>
        <translation>획을 굵게 한 뒤 20 px에 맞추기</translation>
    </message>
    <message>
        <source>Preprocessing: what the models see</source>
        <translation>전처리: 모델이 보는 것</translation>
    </message>
    <message>
        <source>{0} ({1}x{2})</source>
        <translation>{0} ({1}x{2})</translation>
    </message>
</context>
<context>
    <name>ProbabilityChart</name>
    <message>
        <source>{0} probabilities</source>
        <extracomment>The other charts shown beside it, weakly (a cycle would leave a dropped chart to the cyclic GC): their titles share one size (see :meth:`share_title_size`). The size its own title fits at, measured when the title or the width changes (the peers read it: a stroke&apos;s update measures each title once, not per peer).</extracomment>
        <translation>{0}의 확률</translation>
    </message>
    <message>
        <source>Click a digit to see why the models would say it</source>
        <translation>숫자를 누르면 모델이 왜 그 숫자라고 할지 보여 줍니다</translation>
    </message>
    <message>
        <source>draw a digit</source>
        <translation>숫자를 그리세요</translation>
    </message>
    <message>
        <source>{0}: {1} ({2:.1%})</source>
        <translation>{0}: {1} ({2:.1%})</translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation>{0}: {1}</translation>
    </message>
    <message>
        <source>{0}. Probabilities: {1}</source>
        <translation>{0}. 확률: {1}</translation>
    </message>
</context>
<context>
    <name>ReliabilityChart</name>
    <message>
        <source>confidence</source>
        <translation>확신도</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>정확도</translation>
    </message>
    <message>
        <source>no calibration yet</source>
        <translation>아직 보정 없음</translation>
    </message>
    <message>
        <source>{0}: ECE {1:.2%} → {2:.2%} (T = {3:.2f})</source>
        <translation>{0}: ECE {1:.2%} → {2:.2%} (T = {3:.2f})</translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation>{0}: {1}</translation>
    </message>
</context>
<context>
    <name>ReliabilityPanel</name>
    <message>
        <source>Reliability on the MNIST test set: of the digits a model calls with 90% confidence, about 90% should be right (the diagonal). Dots: before calibration; bars: after dividing the logits by the temperature T fitted on the validation split. ECE: expected calibration error, the average gap.</source>
        <translation>MNIST 테스트 세트에서의 신뢰도: 모델이 90% 확신으로 답한 숫자는 약 90%가 맞아야 합니다(대각선). 점: 보정 전, 막대: 검증 세트에서 맞춘 온도 T로 로짓을 나눈 뒤. ECE: 기대 보정 오차, 평균 차이입니다.</translation>
    </message>
</context>
<context>
    <name>SaveDigitDialog</name>
    <message>
        <source>Save drawing as digit</source>
        <translation>그림을 숫자로 저장</translation>
    </message>
    <message>
        <source>The 28x28 model input that will be saved</source>
        <translation>저장될 28x28 모델 입력</translation>
    </message>
    <message>
        <source>Which digit is it?</source>
        <translation>어떤 숫자인가요?</translation>
    </message>
    <message>
        <source>Into {0}</source>
        <translation>저장 위치: {0}</translation>
    </message>
    <message>
        <source>Choose the digit first.</source>
        <translation>먼저 숫자를 고르세요.</translation>
    </message>
    <message>
        <source>Could not save: {0}</source>
        <translation>저장하지 못했습니다: {0}</translation>
    </message>
</context>
<context>
    <name>SweepDialog</name>
    <message>
        <source>shift x</source>
        <extracomment>Points per transform: half-pixel shifts, 5-degree turns, 0.05x scale, 1/4 thicken steps. The engine&apos;s transform names and units as the dialog shows them (translated).</extracomment>
        <translation>가로 이동</translation>
    </message>
    <message>
        <source>shift y</source>
        <translation>세로 이동</translation>
    </message>
    <message>
        <source>rotate</source>
        <translation>회전</translation>
    </message>
    <message>
        <source>scale</source>
        <translation>크기 조절</translation>
    </message>
    <message>
        <source>thicken</source>
        <translation>굵게</translation>
    </message>
    <message>
        <source>px</source>
        <translation>px</translation>
    </message>
    <message>
        <source>deg</source>
        <translation>도</translation>
    </message>
    <message>
        <source>steps</source>
        <translation>단계</translation>
    </message>
    <message>
        <source>Robustness sweep</source>
        <translation>강건성 스윕</translation>
    </message>
    <message>
        <source>{0} ({1:g}..{2:g} {3})</source>
        <translation>{0} ({1:g}..{2:g} {3})</translation>
    </message>
    <message>
        <source>the CNN&apos;s answer</source>
        <translation>합성곱 신경망의 답</translation>
    </message>
    <message>
        <source>confidence in the digit</source>
        <translation>그 숫자에 대한 확신도</translation>
    </message>
    <message>
        <source>Transform</source>
        <translation>변환</translation>
    </message>
    <message>
        <source>Track</source>
        <translation>추적할 숫자</translation>
    </message>
    <message>
        <source>Model input at this value</source>
        <translation>이 값에서의 모델 입력</translation>
    </message>
    <message>
        <source>Draw a digit first: the sweep transforms the Draw tab&apos;s model input.</source>
        <translation>먼저 숫자를 그리세요: 스윕은 그리기 탭의 모델 입력을 변환합니다.</translation>
    </message>
    <message>
        <source>The models are still loading.</source>
        <translation>아직 모델을 불러오는 중입니다.</translation>
    </message>
    <message>
        <source>{0} ({1})</source>
        <translation>{0} ({1})</translation>
    </message>
    <message>
        <source>Confidence in {0} as the drawing is transformed</source>
        <translation>그림을 변환할 때 {0}에 대한 확신도</translation>
    </message>
    <message>
        <source>{0} never (within {1:g}..{2:g} {3})</source>
        <translation>{0}: 바뀌지 않음 ({1:g}..{2:g} {3} 안에서)</translation>
    </message>
    <message>
        <source>{0} at {1}</source>
        <translation>{0}: {1}에서</translation>
    </message>
    <message>
        <source>Stops saying {0} (× on the curves): {1}. No re-centring after the transform: a dense model has one weight per pixel, so moved ink lands on the wrong weights; the CNN&apos;s shared kernels and pooling follow it.</source>
        <translation>{0}(이)라는 답이 바뀌는 곳 (곡선의 ×): {1}. 변환한 뒤 다시 가운데로 옮기지 않습니다. 완전 연결 모델은 픽셀마다 가중치가 하나씩이라 잉크가 움직이면 엉뚱한 가중치에 닿지만, 합성곱 신경망은 공유하는 커널과 풀링이 잉크를 따라갑니다.</translation>
    </message>
    <message>
        <source>; </source>
        <translation>; </translation>
    </message>
    <message>
        <source>{0}: no model</source>
        <translation>{0}: 모델 없음</translation>
    </message>
    <message>
        <source>{0}: {1} ({2:.1%} for {3})</source>
        <translation>{0}: {1} ({3}일 확률 {2:.1%})</translation>
    </message>
</context>
<context>
    <name>TrainProgressPanel</name>
    <message>
        <source>epoch: %p%</source>
        <translation>에포크: %p%</translation>
    </message>
    <message>
        <source>run: %p% of the max epochs</source>
        <translation>전체: 최대 에포크의 %p%</translation>
    </message>
    <message>
        <source>Not started.</source>
        <translation>시작하지 않았습니다.</translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation>에포크</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>전체</translation>
    </message>
    <message>
        <source>Starting… (loading TensorFlow and MNIST)</source>
        <translation>시작하는 중… (TensorFlow와 MNIST를 불러오는 중)</translation>
    </message>
    <message>
        <source>epoch {0} of at most {1} · batch {2}/{3}</source>
        <translation>에포크 {0} (최대 {1}) · 배치 {2}/{3}</translation>
    </message>
    <message>
        <source>{0} · {1:,.0f} samples/s</source>
        <translation>{0} · 초당 샘플 {1:,.0f}개</translation>
    </message>
    <message>
        <source>{0} · at most {1} left</source>
        <translation>{0} · 최대 {1} 남음</translation>
    </message>
</context>
<context>
    <name>TrainReport</name>
    <message>
        <source>multinomial</source>
        <extracomment>Misclassified test digits kept for the gallery (the most confident mistakes first). Translates ``(context, source)``; the GUI passes Qt&apos;s (``digitlab.gui.common.i18n.translate``), whose ``pyside6-lupdate`` finds the calls below by the name ``translate``.</extracomment>
        <translation>다항 로지스틱 회귀</translation>
    </message>
    <message>
        <source>DNN</source>
        <translation>심층 신경망</translation>
    </message>
    <message>
        <source>CNN without dropout</source>
        <translation>드롭아웃 없는 합성곱 신경망</translation>
    </message>
    <message>
        <source>CNN with dropout</source>
        <translation>드롭아웃 있는 합성곱 신경망</translation>
    </message>
    <message>
        <source>Completed 1 epoch</source>
        <translation>1 에포크를 모두 마쳤습니다</translation>
    </message>
    <message>
        <source>Early stopping ended it after 1 epoch</source>
        <translation>조기 종료로 1 에포크 후에 끝났습니다</translation>
    </message>
    <message>
        <source>Stopped by you after 1 epoch</source>
        <translation>1 에포크 후에 사용자가 멈췄습니다</translation>
    </message>
    <message>
        <source>Stopped: the loss became NaN after 1 epoch</source>
        <translation>1 에포크 후에 손실이 NaN이 되어 멈췄습니다</translation>
    </message>
    <message>
        <source>Completed {0} epochs</source>
        <translation>{0} 에포크를 모두 마쳤습니다</translation>
    </message>
    <message>
        <source>Early stopping ended it after {0} epochs</source>
        <translation>조기 종료로 {0} 에포크 후에 끝났습니다</translation>
    </message>
    <message>
        <source>Stopped by you after {0} epochs</source>
        <translation>{0} 에포크 후에 사용자가 멈췄습니다</translation>
    </message>
    <message>
        <source>Stopped: the loss became NaN after {0} epochs</source>
        <translation>{0} 에포크 후에 손실이 NaN이 되어 멈췄습니다</translation>
    </message>
    <message>
        <source>Test accuracy not measurable: the model outputs NaN (the lesson&apos;s {0}: {1:.2%}).</source>
        <translation>테스트 정확도를 측정할 수 없습니다: 모델 출력이 NaN입니다 (수업의 {0}: {1:.2%}).</translation>
    </message>
    <message>
        <source>{0} s</source>
        <translation>{0}초</translation>
    </message>
    <message>
        <source>{0} min {1} s</source>
        <translation>{0}분 {1}초</translation>
    </message>
    <message>
        <source>{0} h {1} min</source>
        <translation>{0}시간 {1}분</translation>
    </message>
    <message>
        <source>Test accuracy {0:.2%} — the lesson&apos;s {1}: {2:.2%}.</source>
        <translation>테스트 정확도 {0:.2%} — 수업의 {1}: {2:.2%}.</translation>
    </message>
    <message>
        <source>; kept the weights of epoch {0}</source>
        <translation> — 에포크 {0}의 가중치를 유지했습니다</translation>
    </message>
    <message>
        <source>{0}
{1}{2} ({3}).</source>
        <translation>{0}
{1}{2} ({3})</translation>
    </message>
</context>
<context>
    <name>TrainSettingsPanel</name>
    <message>
        <source>Multinomial (softmax regression)</source>
        <translation>다항 로지스틱 회귀 (소프트맥스 회귀)</translation>
    </message>
    <message>
        <source>DNN (64-128-32 hidden units)</source>
        <translation>심층 신경망 DNN (은닉 유닛 64-128-32)</translation>
    </message>
    <message>
        <source>CNN with dropout</source>
        <translation>드롭아웃 있는 합성곱 신경망</translation>
    </message>
    <message>
        <source>CNN without dropout</source>
        <translation>드롭아웃 없는 합성곱 신경망</translation>
    </message>
    <message>
        <source>Lesson recipe</source>
        <translation>수업 레시피</translation>
    </message>
    <message>
        <source>Improved recipe</source>
        <translation>개선된 레시피</translation>
    </message>
    <message>
        <source>constant</source>
        <extracomment>The engine&apos;s learning-rate schedules, as the picker shows them.</extracomment>
        <translation>고정</translation>
    </message>
    <message>
        <source>cosine</source>
        <translation>코사인</translation>
    </message>
    <message>
        <source>Training settings</source>
        <extracomment>MNIST&apos;s training set size: the &quot;training samples&quot; knob&apos;s maximum (&quot;all&quot;).</extracomment>
        <translation>학습 설정</translation>
    </message>
    <message>
        <source>Lesson: Adam 1e-4, batch 100, validation 20%, patience 3.
Improved: Adam 1e-3 with cosine decay, augmentation (the shipped models&apos; recipe).</source>
        <translation>수업: Adam 1e-4, 배치 100, 검증 20%, 조기 종료 인내 3.
개선: Adam 1e-3에 코사인 감쇠, 데이터 증강 (기본 제공 모델의 레시피).</translation>
    </message>
    <message>
        <source>The most epochs; early stopping usually ends sooner.</source>
        <translation>최대 에포크 수입니다. 보통은 조기 종료가 더 일찍 끝냅니다.</translation>
    </message>
    <message>
        <source>Fraction of the training samples held out (from the end) to watch for overfitting. 0 = none.</source>
        <translation>과대적합을 지켜보려고 (끝에서부터) 떼어 두는 학습 샘플의 비율입니다. 0 = 사용 안 함.</translation>
    </message>
    <message>
        <source>off</source>
        <translation>끔</translation>
    </message>
    <message>
        <source>Early stopping: epochs without a better validation loss before stopping. 0 turns it off.</source>
        <translation>조기 종료: 검증 손실이 나아지지 않는 에포크가 이만큼 이어지면 멈춥니다. 0이면 끕니다.</translation>
    </message>
    <message>
        <source>cosine: the learning rate decays to 1% over the epochs.</source>
        <translation>코사인: 에포크에 걸쳐 학습률이 1%까지 줄어듭니다.</translation>
    </message>
    <message>
        <source>shifts, rotations, strokes</source>
        <translation>이동, 회전, 획 굵기</translation>
    </message>
    <message>
        <source>Random shifts, rotations, shear, scale and stroke width: models that hold up on digits drawn by people.</source>
        <translation>무작위 이동, 회전, 기울임, 크기, 획 굵기: 사람이 그린 숫자에도 잘 버티는 모델이 됩니다.</translation>
    </message>
    <message>
        <source>Train on the first N of MNIST&apos;s 60,000 training images (fewer = faster, less accurate).</source>
        <translation>MNIST 학습 이미지 60,000개 중 앞의 N개로 학습합니다 (적을수록 빠르지만 덜 정확합니다).</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>레시피</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>학습률</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>배치 크기</translation>
    </message>
    <message>
        <source>Max epochs</source>
        <translation>최대 에포크</translation>
    </message>
    <message>
        <source>Validation split</source>
        <translation>검증 비율</translation>
    </message>
    <message>
        <source>Early-stopping patience</source>
        <translation>조기 종료 인내</translation>
    </message>
    <message>
        <source>LR schedule</source>
        <translation>학습률 스케줄</translation>
    </message>
    <message>
        <source>Augmentation</source>
        <translation>데이터 증강</translation>
    </message>
    <message>
        <source>Training samples</source>
        <translation>학습 샘플 수</translation>
    </message>
</context>
<context>
    <name>TrainTab</name>
    <message>
        <source>Start training</source>
        <translation>학습 시작</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>중지</translation>
    </message>
    <message>
        <source>Early stopping, best epochs and problems are noted here.</source>
        <translation>조기 종료, 가장 좋은 에포크, 문제가 여기에 기록됩니다.</translation>
    </message>
    <message>
        <source>Trained model</source>
        <translation>학습한 모델</translation>
    </message>
    <message>
        <source>No model trained yet.</source>
        <translation>아직 학습한 모델이 없습니다.</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>이 모델 사용</translation>
    </message>
    <message>
        <source>Use it in the Draw tab now and save it to your data folder so that it loads next time.</source>
        <translation>지금 그리기 탭에서 사용하고, 다음에도 불러오도록 데이터 폴더에 저장합니다.</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>다른 이름으로 저장…</translation>
    </message>
    <message>
        <source>Save the trained model to a file of your choice.</source>
        <translation>학습한 모델을 원하는 파일에 저장합니다.</translation>
    </message>
    <message>
        <source>Restore shipped models</source>
        <translation>기본 제공 모델로 되돌리기</translation>
    </message>
    <message>
        <source>Go back to the models that came with Digit Lab (your saved ones are kept as .bak files).</source>
        <translation>Digit Lab에 들어 있던 모델로 돌아갑니다 (저장한 모델은 .bak 파일로 보관합니다).</translation>
    </message>
    <message>
        <source>Copy as code…</source>
        <translation>코드로 복사…</translation>
    </message>
    <message>
        <source>Copy the Keras code for these settings</source>
        <translation>이 설정의 Keras 코드를 복사합니다</translation>
    </message>
    <message>
        <source>Stop training</source>
        <translation>학습 중지</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>결과</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>학습</translation>
    </message>
    <message>
        <source>Fine-tune on my handwriting</source>
        <translation>내 손글씨로 미세 조정</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>기록</translation>
    </message>
    <message>
        <source>Confusion matrix (test set)</source>
        <translation>혼동 행렬 (테스트 세트)</translation>
    </message>
    <message>
        <source>Misclassified test digits (click to draw)</source>
        <translation>잘못 분류한 테스트 숫자 (누르면 그리기 탭에서 열림)</translation>
    </message>
    <message>
        <source>Calibration (test set)</source>
        <translation>보정 (테스트 세트)</translation>
    </message>
    <message>
        <source>Cannot start: {0}</source>
        <translation>시작할 수 없습니다: {0}</translation>
    </message>
    <message>
        <source>after training</source>
        <translation>학습 후</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>학습 중…</translation>
    </message>
    <message>
        <source>Loading TensorFlow… training starts as soon as it is ready.</source>
        <translation>TensorFlow를 불러오는 중… 준비되는 대로 학습을 시작합니다.</translation>
    </message>
    <message>
        <source>all</source>
        <translation>전부</translation>
    </message>
    <message>
        <source>— {0}, {1}: lr {2:g}, batch {3}, {4} training samples.</source>
        <translation>— {0}, {1}: 학습률 {2:g}, 배치 {3}, 학습 샘플 {4}개.</translation>
    </message>
    <message>
        <source>Stopping after this batch…</source>
        <translation>이번 배치가 끝나면 멈춥니다…</translation>
    </message>
    <message>
        <source>Using this {0} model in the Draw tab.</source>
        <translation>이 {0} 모델을 그리기 탭에서 사용합니다.</translation>
    </message>
    <message>
        <source>Saved the {0} model to {1}.</source>
        <translation>{0} 모델을 {1}에 저장했습니다.</translation>
    </message>
    <message>
        <source>Could not save the {0} model: {1}</source>
        <translation>{0} 모델을 저장하지 못했습니다: {1}</translation>
    </message>
    <message>
        <source>Restoring the shipped models.</source>
        <translation>기본 제공 모델로 되돌립니다.</translation>
    </message>
    <message>
        <source>Training done; evaluating on the 10,000 test images…</source>
        <translation>학습을 마쳤습니다. 테스트 이미지 10,000개로 평가하는 중…</translation>
    </message>
    <message>
        <source>no validation split to fit T on</source>
        <translation>T를 맞출 검증 세트가 없음</translation>
    </message>
    <message>
        <source>Calibration: T = {0:.2f} (fitted on the validation split); test-set ECE {1:.2%} before, {2:.2%} after.</source>
        <translation>보정: T = {0:.2f} (검증 세트에서 맞춤), 테스트 세트 ECE 보정 전 {1:.2%}, 보정 후 {2:.2%}.</translation>
    </message>
    <message>
        <source>Epoch {0}: {1}</source>
        <translation>에포크 {0}: {1}</translation>
    </message>
    <message>
        <source>Training was stopped; the best weights so far were kept.

Use this model in the Draw tab?</source>
        <translation>학습을 멈췄습니다. 지금까지 가장 좋은 가중치를 유지했습니다.

이 모델을 그리기 탭에서 사용할까요?</translation>
    </message>
    <message>
        <source>Training was stopped; the best weights so far were kept. Its test accuracy is {0:.2%}.

Use this model in the Draw tab?</source>
        <translation>학습을 멈췄습니다. 지금까지 가장 좋은 가중치를 유지했습니다. 테스트 정확도는 {0:.2%}입니다.

이 모델을 그리기 탭에서 사용할까요?</translation>
    </message>
    <message>
        <source>Training stopped</source>
        <translation>학습을 멈춤</translation>
    </message>
</context>
<context>
    <name>TrainingCurves</name>
    <message>
        <source>Loss and accuracy curves</source>
        <translation>손실과 정확도 곡선</translation>
    </message>
    <message>
        <source>No epoch has finished yet.</source>
        <translation>아직 끝난 에포크가 없습니다.</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>손실</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>정확도</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>에포크</translation>
    </message>
    <message>
        <source>train</source>
        <translation>학습</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>검증</translation>
    </message>
    <message>
        <source>After epoch {0}: {1}</source>
        <translation>에포크 {0} 후: {1}</translation>
    </message>
</context>
<context>
    <name>WhyPanel</name>
    <message>
        <source>Integrated gradients</source>
        <extracomment>The CNN&apos;s explanation methods: menu text -&gt; ``engine.explain`` method.</extracomment>
        <translation>적분 그래디언트</translation>
    </message>
    <message>
        <source>Grad-CAM (last conv layer)</source>
        <translation>Grad-CAM (마지막 합성곱 층)</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#ff3c28&apos;&gt;■&lt;/span&gt; ink here raised the score for the digit · &lt;span style=&apos;color:#288cff&apos;&gt;■&lt;/span&gt; lowered it · grey: the input · each map scaled to its own largest value</source>
        <translation>&lt;span style=&apos;color:#ff3c28&apos;&gt;■&lt;/span&gt; 이곳의 잉크가 그 숫자의 점수를 올림 · &lt;span style=&apos;color:#288cff&apos;&gt;■&lt;/span&gt; 내림 · 회색: 입력 · 맵마다 자신의 최댓값에 맞춤</translation>
    </message>
    <message>
        <source>Explain</source>
        <translation>설명할 숫자</translation>
    </message>
    <message>
        <source>its answer</source>
        <translation>각 모델의 답</translation>
    </message>
    <message>
        <source>Each model explains the digit it predicts</source>
        <translation>모델마다 자신이 예측한 숫자를 설명합니다</translation>
    </message>
    <message>
        <source>All three models explain the digit {0}</source>
        <translation>세 모델 모두 숫자 {0}을(를) 설명합니다</translation>
    </message>
    <message>
        <source>CNN:</source>
        <translation>합성곱 신경망:</translation>
    </message>
    <message>
        <source>Raw logits</source>
        <translation>원래 로짓</translation>
    </message>
    <message>
        <source>Show each model&apos;s raw logits: the bars are their calibrated softmax</source>
        <translation>모델마다의 원래 로짓을 보여 줍니다. 막대는 보정한 소프트맥스입니다</translation>
    </message>
    <message>
        <source>{0}: why this digit</source>
        <translation>{0}: 왜 이 숫자인가</translation>
    </message>
    <message>
        <source>Integrated gradients (DNN, CNN) add up, pixel by pixel, the change of the score from a black image to this drawing; weight × input (multinomial) is that change exactly.</source>
        <translation>적분 그래디언트(심층 신경망, 합성곱 신경망)는 검은 이미지에서 이 그림까지 점수가 변한 양을 픽셀별로 나누어 더합니다. 다항 로지스틱 회귀의 가중치 × 입력은 그 변화량과 정확히 같습니다.</translation>
    </message>
    <message>
        <source>draw a digit</source>
        <translation>숫자를 그리세요</translation>
    </message>
    <message>
        <source>loading models…</source>
        <translation>모델을 불러오는 중…</translation>
    </message>
    <message>
        <source>loading TensorFlow…</source>
        <translation>TensorFlow를 불러오는 중…</translation>
    </message>
    <message>
        <source>no Keras models to explain</source>
        <translation>설명할 Keras 모델이 없습니다</translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation>{0}: {1}</translation>
    </message>
    <message>
        <source>{0}: why {1} ({2:.1%})</source>
        <translation>{0}: 왜 {1}인가 ({2:.1%})</translation>
    </message>
    <message>
        <source>{0}: cannot explain</source>
        <translation>{0}: 설명할 수 없음</translation>
    </message>
    <message>
        <source>{0}: no model</source>
        <translation>{0}: 모델 없음</translation>
    </message>
    <message>
        <source>{0} (y={1}, x={2}): {3:+.4g} toward {4}   input {5:.2f}</source>
        <translation>{0} (y={1}, x={2}): {4} 쪽으로 {3:+.4g}   입력 {5:.2f}</translation>
    </message>
</context>
<context>
    <name>WorkedExample</name>
    <message>
        <source>◀ Previous</source>
        <extracomment>Text on the light cell colours above, whatever the palette (light text would vanish).</extracomment>
        <translation>◀ 이전</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>다음 ▶</translation>
    </message>
    <message>
        <source>input 5×5 (edit me)</source>
        <translation>입력 5×5 (고쳐 보세요)</translation>
    </message>
    <message>
        <source>kernel 3×3 (edit me)</source>
        <translation>커널 3×3 (고쳐 보세요)</translation>
    </message>
    <message>
        <source>zero-padded input 7×7</source>
        <translation>0으로 패딩한 입력 7×7</translation>
    </message>
    <message>
        <source>output 5×5</source>
        <translation>출력 5×5</translation>
    </message>
    <message>
        <source>tf.nn.conv2d(input, kernel, strides=1, padding=&apos;SAME&apos;): the 5×5 input is padded with zeros to 7×7, so the 3×3 window fits at all 5×5 positions.</source>
        <translation>tf.nn.conv2d(input, kernel, strides=1, padding=&apos;SAME&apos;): 5×5 입력을 0으로 패딩해 7×7로 만들어서, 3×3 창이 5×5 위치 모두에 들어맞습니다.</translation>
    </message>
    <message>
        <source>input 4×4 (edit me)</source>
        <translation>입력 4×4 (고쳐 보세요)</translation>
    </message>
    <message>
        <source>output 2×2</source>
        <translation>출력 2×2</translation>
    </message>
    <message>
        <source>tf.nn.max_pool(input, ksize=2, strides=2, padding=&apos;VALID&apos;): each output pixel is the largest of a 2×2 window; the window moves 2 pixels at a time.</source>
        <translation>tf.nn.max_pool(input, ksize=2, strides=2, padding=&apos;VALID&apos;): 출력 픽셀 하나는 2×2 창 안의 가장 큰 값이고, 창은 한 번에 2픽셀씩 움직입니다.</translation>
    </message>
    <message>
        <source>Convolution</source>
        <translation>합성곱</translation>
    </message>
    <message>
        <source>Max pooling</source>
        <translation>최대 풀링</translation>
    </message>
    <message>
        <source>step {0} of 25: output (y={1}, x={2}) = sum of the nine products</source>
        <translation>25단계 중 {0}단계: 출력 (y={1}, x={2}) = 곱 아홉 개의 합</translation>
    </message>
    <message>
        <source>step {0} of 4: output (y={1}, x={2}) = max({3}) = {4}</source>
        <translation>4단계 중 {0}단계: 출력 (y={1}, x={2}) = max({3}) = {4}</translation>
    </message>
</context>
</TS>
