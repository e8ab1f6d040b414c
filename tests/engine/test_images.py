"""engine.images: every format and pixel mode, EXIF, broken files, bombs, huge photos."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitlab.engine.images import (
    CHANNELS,
    MAX_PIXELS,
    WORKING_MAX_SIDE,
    ImageLoadError,
    Photo,
    extract_channel,
    load_digit_image,
    load_photo,
    photo_from_array,
)
from digitlab.resources import path as resource_path
from tests.image_files import png_bomb

ROOT = Path(__file__).resolve().parents[2]
ORANGE = (230, 120, 20)


def _save(img: Image.Image, path: Path, **kwargs) -> Path:
    img.save(path, **kwargs)
    return path


def _assert_colour(photo: Photo, rgb, tol: int) -> None:
    assert photo.rgb.dtype == np.uint8 and photo.rgb.shape[2] == 3
    centre = photo.rgb[photo.rgb.shape[0] // 2, photo.rgb.shape[1] // 2].astype(int)
    assert np.abs(centre - np.array(rgb)).max() <= tol, (centre, rgb)


@pytest.mark.parametrize("ext, fmt, mode, tol", [
    ("jpg", "JPEG", "RGB", 6),
    ("png", "PNG", "RGB", 0),
    ("bmp", "BMP", "RGB", 0),
    ("gif", "GIF", "P", 0),
    ("webp", "WEBP", "RGB", 6),
    ("tif", "TIFF", "RGB", 0),
    ("png", "PNG", "P", 0),
    ("bmp", "BMP", "P", 0),
    ("tif", "TIFF", "CMYK", 1),
    ("jpg", "JPEG", "CMYK", 8),
])
def test_colour_formats_and_modes_load_as_rgb(tmp_path, ext, fmt, mode, tol):
    img = Image.new("RGB", (24, 16), ORANGE)
    img = img.convert(mode) if mode != "P" else img.quantize(4)
    path = _save(img, tmp_path / f"photo.{ext}", format=fmt)
    photo = load_photo(path)
    assert photo.size == (24, 16) and photo.original_size == (24, 16)
    assert not photo.downscaled and photo.path == str(path)
    _assert_colour(photo, ORANGE, tol)


@pytest.mark.parametrize("mode, value, expected", [
    ("L", 77, 77),
    ("1", 1, 255),
    ("I;16", 65535, 255),
    ("I;16", 32896, 128),  # 16-bit mid grey is scaled by the bit depth, not clipped to 255
    ("I", 1000, 255),  # 32-bit has no bit depth: its real range 0..1000 becomes 0..255
])
def test_grey_modes_are_scaled_not_clipped(tmp_path, mode, value, expected):
    if mode == "I":
        a = np.zeros((10, 12), np.int32)
        a[:, 6:] = value
        img = Image.fromarray(a)
    elif mode == "I;16":
        img = Image.fromarray(np.full((10, 12), value, np.uint16))
    else:
        img = Image.new(mode, (12, 10), value)
    for ext in ("tif",) if mode == "I" else ("png", "tif"):  # Pillow writes 32-bit as TIFF only
        photo = load_photo(_save(img, tmp_path / f"grey.{ext}"))
        assert photo.rgb.shape == (10, 12, 3)
        assert tuple(photo.rgb[5, 9]) == (expected,) * 3, (ext, photo.rgb[5, 9])
        if mode == "I":
            assert tuple(photo.rgb[5, 0]) == (0, 0, 0)


def test_alpha_is_composited_on_white(tmp_path):
    rgba = np.zeros((10, 20, 4), np.uint8)
    rgba[:, :10] = (200, 0, 0, 255)  # opaque red left half
    rgba[:, 10:] = (0, 0, 200, 0)  # fully transparent blue right half
    img = Image.fromarray(rgba)
    for name, image in [("rgba.png", img), ("rgba.webp", img), ("rgba.tif", img),
                        ("la.png", img.convert("LA"))]:
        kwargs = {"lossless": True} if name.endswith("webp") else {}
        photo = load_photo(_save(image, tmp_path / name, **kwargs))
        assert tuple(photo.rgb[5, 15]) == (255, 255, 255), name  # transparent -> white
        if name.startswith("rgba"):
            assert tuple(photo.rgb[5, 2]) == (200, 0, 0), name


def test_palette_transparency_is_composited_on_white(tmp_path):
    img = Image.new("P", (10, 10), 1)
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    img.paste(0, (0, 0, 5, 10))  # left half: index 0, the transparent one
    for ext in ("png", "gif"):
        photo = load_photo(_save(img, tmp_path / f"p.{ext}", transparency=0))
        assert tuple(photo.rgb[5, 1]) == (255, 255, 255), ext
        assert tuple(photo.rgb[5, 8]) == (255, 0, 0), ext


@pytest.mark.parametrize("ext", ["gif", "webp"])
def test_animations_give_their_first_frame(tmp_path, ext):
    frames = [Image.new("RGB", (16, 16), c) for c in ((250, 0, 0), (0, 0, 250), (0, 250, 0))]
    path = tmp_path / f"anim.{ext}"
    kwargs = {"lossless": True} if ext == "webp" else {}
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0, **kwargs)
    with Image.open(path) as check:
        assert getattr(check, "n_frames", 1) == 3  # really animated
    _assert_colour(load_photo(path), (250, 0, 0), 4)


def test_exif_orientation_is_applied(tmp_path):
    a = np.zeros((20, 40, 3), np.uint8)  # landscape, left half red
    a[:, :20] = (255, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    path = _save(Image.fromarray(a), tmp_path / "rotated.jpg", exif=exif, quality=95)
    photo = load_photo(path)
    assert photo.rgb.shape == (40, 20, 3)  # portrait now
    assert photo.rgb[5, 10, 0] > 200 and photo.rgb[35, 10, 0] < 50  # left went to the top
    assert photo.original_size == (40, 20)


def test_large_png_is_downscaled_and_says_so(tmp_path):
    img = Image.new("RGB", (3000, 120), ORANGE)
    photo = load_photo(_save(img, tmp_path / "wide.png"))
    assert photo.downscaled and photo.original_size == (3000, 120)
    assert photo.size == (WORKING_MAX_SIDE, 82)
    _assert_colour(photo, ORANGE, 1)
    small = load_photo(tmp_path / "wide.png", max_side=300)
    assert small.size == (300, 12)


def test_huge_jpeg_is_reduced_while_decoding_without_much_memory(tmp_path):
    path = tmp_path / "huge.jpg"
    Image.new("L", (12000, 9000), 180).save(path, quality=30)
    script = (
        "import json, sys, warnings\n"
        "warnings.simplefilter('error')  # Pillow's bomb warning must not fire at 108 MP\n"
        "from digitlab.engine.images import load_photo\n"
        "p = load_photo(sys.argv[1])\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec,
        # so a pytest process that loaded TensorFlow would be counted.
        "status = open('/proc/self/status').read().splitlines()\n"
        "peak = int(next(l.split()[1] for l in status if l.startswith('VmHWM'))) // 1024\n"
        "print(json.dumps({'size': p.size, 'orig': p.original_size, 'down': p.downscaled,"
        " 'px': int(p.rgb[100, 100, 0]), 'peak_mb': peak}))\n")
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                         text=True, cwd=ROOT, check=True)
    report = json.loads(out.stdout)
    assert report["size"] == [2048, 1536] and report["orig"] == [12000, 9000]
    assert report["down"] is True and abs(report["px"] - 180) <= 2
    # A full decode alone would be 12000*9000*3 bytes = 324 MB; DCT scaling keeps it small.
    assert report["peak_mb"] < 250, report


def test_decompression_bomb_is_refused_from_the_header(tmp_path):
    path = png_bomb(tmp_path / "bomb.png", 20000)
    assert path.stat().st_size < 200_000
    with pytest.raises(ImageLoadError) as info:
        load_photo(path)
    message = str(info.value)
    assert "bomb.png" in message and "20000x20000" in message and f"{MAX_PIXELS:,}" in message
    with pytest.raises(ImageLoadError, match="refused"):
        load_digit_image(path)


def _truncated(path: Path, fmt: str) -> Path:
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(path, format=fmt)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("make, reason", [
    (lambda d: _truncated(d / "cut.jpg", "JPEG"), "corrupt or truncated"),
    (lambda d: _truncated(d / "cut.png", "PNG"), "corrupt or truncated"),
    (lambda d: (d / "notes.png").write_text("just text, not a PNG") and d / "notes.png",
     "not an image"),
    (lambda d: (d / "empty.jpg").write_bytes(b"") or d / "empty.jpg", "empty"),
    (lambda d: d, "folder"),
    (lambda d: d / "missing.png", "no such file"),
    (lambda d: _save(Image.new("RGB", (16, 16)), d / "icon.ico"), "unsupported format ICO"),
    (lambda d: _save(Image.new("RGB", (8, 8)), d / "pic.ppm"), "unsupported format PPM"),
])
def test_bad_files_raise_one_line_naming_the_file(tmp_path, make, reason):
    path = make(tmp_path)
    for loader in (load_photo, load_digit_image):
        with pytest.raises(ImageLoadError) as info:
            loader(path)
        message = str(info.value)
        assert message.startswith(str(path)) and reason in message
        assert "\n" not in message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    path = _save(Image.new("RGB", (4, 4)), tmp_path / "locked.png")
    path.chmod(0)
    try:
        with pytest.raises(ImageLoadError, match="permission denied"):
            load_photo(path)
    finally:
        path.chmod(0o644)


def test_permission_error_from_pillow_is_one_line(tmp_path, monkeypatch):
    path = _save(Image.new("RGB", (4, 4)), tmp_path / "locked.png")

    def refuse(fp, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(fp))

    monkeypatch.setattr(Image, "open", refuse)
    with pytest.raises(ImageLoadError, match=r"locked\.png: permission denied"):
        load_photo(path)


def test_sample_photos_load():
    sizes = {"rocket.jpg": (640, 427), "camera.png": (512, 512)}
    for name, size in sizes.items():
        photo = load_photo(resource_path("photos", name))
        assert photo.size == size and photo.rgb.shape == (size[1], size[0], 3)


def test_digit_image_transparency_becomes_background(tmp_path):
    rgba = np.zeros((28, 28, 4), np.uint8)
    rgba[6:22, 12:16, 3] = 255  # an opaque stroke on a transparent sheet
    white = rgba.copy()
    white[..., :3] = 255  # white stroke (+ white but transparent elsewhere)
    black = rgba.copy()
    black[..., :3] = 0
    on_black = load_digit_image(_save(Image.fromarray(white), tmp_path / "w.png"))
    on_white = load_digit_image(_save(Image.fromarray(black), tmp_path / "b.png"))
    assert on_black.dtype == np.float32 and on_black.shape == (28, 28)
    assert on_black[10, 13] == 1.0 and on_black[2, 2] == 0.0  # stroke bright, bg dark
    assert on_white[10, 13] == 0.0 and on_white[2, 2] == 1.0  # stroke dark, bg light


def test_digit_image_grey_and_16_bit(tmp_path):
    a = np.zeros((20, 20), np.uint16)
    a[5:15, 9:11] = 65535
    img16 = load_digit_image(_save(Image.fromarray(a), tmp_path / "d16.png"))
    assert img16.max() == pytest.approx(1.0) and img16.min() == 0.0
    rgb = load_digit_image(_save(Image.new("RGB", (9, 7), (255, 255, 255)), tmp_path / "w.jpg"))
    assert rgb.shape == (7, 9) and rgb.min() > 0.97


def test_photo_from_array_accepts_common_layouts():
    gray = photo_from_array(np.full((5, 7), 100, np.uint8), name="g")
    assert gray.rgb.shape == (5, 7, 3) and gray.size == (7, 5) and gray.path == "g"
    assert (gray.rgb == 100).all() and gray.original_size == (7, 5) and not gray.downscaled
    unit = photo_from_array(np.full((3, 3, 3), 0.5, np.float32))
    assert (unit.rgb == 128).all()
    rgba = np.zeros((2, 2, 4), np.uint8)
    assert (photo_from_array(rgba).rgb == 255).all()  # transparent -> white
    assert (photo_from_array(np.ones((2, 2), bool)).rgb == 255).all()
    for bad in (np.zeros((2, 2, 2)), np.zeros((0, 3)), np.zeros(5), np.full((2, 2), np.nan)):
        with pytest.raises(ImageLoadError):
            photo_from_array(bad)


def test_extract_channel_slices_like_the_lesson():
    rgb = np.zeros((4, 6, 3), np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 200, 100, 50
    assert CHANNELS == ("red", "green", "blue", "mean", "gray")
    for channel, value in [("red", 200), ("green", 100), ("blue", 50)]:
        out = extract_channel(rgb, channel)
        assert out.dtype == np.float32 and out.shape == (4, 6) and (out == value).all()
    gray = extract_channel(rgb, "gray")
    np.testing.assert_allclose(gray, 0.299 * 200 + 0.587 * 100 + 0.114 * 50, rtol=1e-5)
    with pytest.raises(ValueError, match="'purple'"):
        extract_channel(rgb, "purple")


# --- issue 11: decode memory bounded by bytes, not pixels; non-regular files -----------------


def _png16_rgba(path: Path, width: int, height: int) -> Path:
    """A 16-bit RGBA PNG of zeros: tiny on disk, 8 bytes a pixel (4 once Pillow has it)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" * (1 + 8 * width)
    comp = zlib.compressobj(1)
    body = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    header = struct.pack(">IIBBBBB", width, height, 16, 6, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
                     + chunk(b"IEND", b""))
    return path


_PEAK_SCRIPT = (
    "import json, sys\n"
    "from digitlab.engine.images import ImageLoadError, load_photo\n"
    "def status(key):\n"
    "    with open('/proc/self/status') as fh:\n"
    "        return int(next(l.split()[1] for l in fh if l.startswith(key))) // 1024\n"
    "before = status('VmRSS')\n"
    "try:\n"
    "    load_photo(sys.argv[1], max_decode_bytes=int(sys.argv[2]))\n"
    "    error = None\n"
    "except ImageLoadError as exc:\n"
    "    error = str(exc)\n"
    "print(json.dumps({'error': error, 'grew_mb': status('VmHWM') - before}))\n")


def _peak(path: Path, limit: int) -> dict:
    out = subprocess.run([sys.executable, "-c", _PEAK_SCRIPT, str(path), str(limit)],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout)


def test_an_image_too_big_in_bytes_is_refused_before_decoding(tmp_path):
    # 4000x4000 is 16 MP, far under MAX_PIXELS, but RGBA decodes to 64 MB (more with
    # the conversion). With the limit scaled down to 16 MiB it must be refused from
    # the header: the process may not grow by anything like the decoded size.
    path = _png16_rgba(tmp_path / "deep.png", 4000, 4000)
    assert path.stat().st_size < 1_000_000
    report = _peak(path, 16 << 20)
    assert report["error"] is not None and "deep.png" in report["error"]
    assert "16 MiB" in report["error"] and "4000x4000" in report["error"]
    assert report["grew_mb"] < 30, report  # decoding first would grow by >= 64 MB


def test_decode_limit_is_in_bytes_at_and_past_the_boundary(tmp_path):
    from digitlab.engine.images import decode_bytes

    path = _save(Image.new("RGBA", (50, 40), (1, 2, 3, 255)), tmp_path / "a.png")
    need = decode_bytes("RGBA", (50, 40))
    assert need == 50 * 40 * 8  # 4 bytes stored + 4 for the premultiplied resize
    assert load_photo(path, max_decode_bytes=need).size == (50, 40)
    with pytest.raises(ImageLoadError, match="refused"):
        load_photo(path, max_decode_bytes=need - 1)
    # Same pixel count, different depth: a grey image takes 1 byte a pixel.
    grey = _save(Image.new("L", (50, 40), 9), tmp_path / "g.png")
    assert load_photo(grey, max_decode_bytes=50 * 40).size == (50, 40)
    for mode, per_pixel in (("I;16", 12), ("F", 16), ("P", 9), ("1", 2)):
        assert decode_bytes(mode, (10, 10)) == 100 * per_pixel


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, 3e38])
def test_float_tiff_with_nan_or_inf_loads_without_warnings(tmp_path, value):
    a = np.zeros((16, 16), np.float32)
    a[4:12, 7:9] = 1.0
    a[0, 0] = value
    path = _save(Image.fromarray(a), tmp_path / "f.tif")
    script = ("import sys, warnings\nwarnings.simplefilter('error')\n"
              "from digitlab.engine.images import load_digit_image, load_photo\n"
              "g = load_digit_image(sys.argv[1]); p = load_photo(sys.argv[1])\n"
              "import numpy as np\nassert np.isfinite(g).all()\nprint(float(g.max()))\n")
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert 0.0 <= float(out.stdout) <= 1.0


def test_all_nan_float_tiff_is_blank(tmp_path):
    path = _save(Image.fromarray(np.full((8, 8), np.nan, np.float32)), tmp_path / "nan.tif")
    assert load_photo(path).rgb.max() == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_and_device_are_refused_without_reading(tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    link = tmp_path / "zero.png"
    link.symlink_to("/dev/zero")
    for path, kind in ((fifo, "FIFO"), (link, "character device")):
        for loader in (load_photo, load_digit_image):
            with pytest.raises(ImageLoadError, match=f"^{path}: is a {kind}"):
                loader(path)


def test_palette_png_on_a_sheet_of_paper_keeps_the_paper_colour(tmp_path):
    # A white sheet with a black 7, framed by transparency (the frame's palette colour
    # is blue). Reading the frame as ink would draw a box around the 7.
    from PIL import ImageDraw

    img = Image.new("RGB", (60, 60), (0, 0, 255))
    draw = ImageDraw.Draw(img)
    draw.rectangle([10, 10, 49, 49], fill=(255, 255, 255))
    draw.line([(20, 20), (40, 20), (28, 44)], fill=(0, 0, 0), width=3)
    pal = img.quantize(3)
    frame = int(np.asarray(pal)[0, 0])
    gray = load_digit_image(_save(pal, tmp_path / "seven.png", transparency=frame))
    assert gray[2, 2] == pytest.approx(1.0) and gray[30, 15] == pytest.approx(1.0)
    assert gray[20, 30] < 0.1  # the stroke stays ink
