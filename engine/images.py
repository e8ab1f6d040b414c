"""Safe image loading: photos for the filter lesson, digit images for prediction.

Pillow opens JPEG, PNG, BMP, GIF (first frame), WebP and TIFF files in any
pixel mode (palette with transparency, grey + alpha, CMYK, 16-bit grey, 1-bit)
and hands back plain numpy arrays. Every failure is an :class:`ImageLoadError`
whose message is one line naming the file and the reason, never a traceback.

Decompression bombs are refused from the header, before any pixel is decoded;
large but legitimate photos are reduced while decoding (JPEG DCT scaling, then
a Lanczos thumbnail) so that a 108-megapixel photo costs tens of megabytes.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

#: Photos whose longer side exceeds this are downscaled to it when loaded.
WORKING_MAX_SIDE = 2048
#: Images with more pixels than this (read from the header) are refused undecoded.
MAX_PIXELS = 200_000_000
#: The channels :func:`extract_channel` can slice, in the order the app lists them:
#: R (the lesson's choice for conv2d), G, B, the lesson's grey image (R+G+B)/3 and
#: luminance (ITU-R 601 luma, what Pillow's "L" gives).
CHANNELS = ("red", "green", "blue", "mean", "gray")
#: Formats (as Pillow names them) that load; MPO is how Pillow names many camera JPEGs.
SUPPORTED_FORMATS = ("JPEG", "MPO", "PNG", "BMP", "GIF", "WEBP", "TIFF")

# Pillow's own bomb guard warns above MAX_IMAGE_PIXELS and raises above twice that.
# Aligning it with ours means legitimate photos up to MAX_PIXELS pass silently and
# anything bigger is refused by our header check first, with our message.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# ITU-R 601-2 luma, the weights Pillow's "L" conversion uses.
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


class ImageLoadError(ValueError):
    """An image file cannot be loaded; the message is one line naming the file."""


@dataclass(frozen=True)
class Photo:
    """A decoded photo.

    Attributes:
        rgb: uint8 array (H, W, 3); EXIF orientation applied, alpha composited on white.
        path: The file it came from (or a name for arrays).
        original_size: (width, height) of the image before any downscale.
        downscaled: True when the file was larger than the working size and was reduced.
    """

    rgb: np.ndarray
    path: str
    original_size: tuple[int, int]
    downscaled: bool = False

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of :attr:`rgb`."""
        return int(self.rgb.shape[1]), int(self.rgb.shape[0])


def load_photo(path: str | os.PathLike, max_side: int = WORKING_MAX_SIDE) -> Photo:
    """Load a photo as RGB, reducing it if its longer side exceeds ``max_side``.

    Args:
        path: An image file (JPEG, PNG, BMP, GIF, WebP or TIFF).
        max_side: Longest side, in pixels, of the returned photo.

    Returns:
        A :class:`Photo` with ``rgb`` uint8 (H, W, 3), H and W <= ``max_side``.

    Raises:
        ImageLoadError: missing, unreadable, empty, not an image, unsupported
            format, corrupt or truncated data, or more than ``MAX_PIXELS`` pixels.
    """
    if int(max_side) < 1:
        raise ValueError(f"Received max_side={max_side!r}; max_side must be >= 1.")
    values, alpha, original_size, downscaled = _decode(path, int(max_side))
    if alpha is not None:  # composite on white, as a browser shows a transparent photo
        values = values * alpha + 255.0 * (1.0 - alpha)
    rgb = _to_uint8(values)
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[:, :, None], 3, axis=2)
    return Photo(rgb=rgb, path=str(path), original_size=original_size, downscaled=downscaled)


def load_digit_image(path: str | os.PathLike) -> np.ndarray:
    """Load an image of a handwritten digit as grayscale for prediction.

    Transparent pixels become background: they are composited onto the colour
    opposite to the opaque strokes (white strokes on transparency land on black,
    dark strokes on white), so the caller's ink detection sees real contrast.

    Args:
        path: An image file, as for :func:`load_photo`.

    Returns:
        float32 array (H, W) in [0, 1]; the longer side is at most ``WORKING_MAX_SIDE``.

    Raises:
        ImageLoadError: as :func:`load_photo`.
    """
    values, alpha, _, _ = _decode(path, WORKING_MAX_SIDE)
    gray = values @ _LUMA if values.ndim == 3 else values
    if alpha is not None:
        alpha = alpha if alpha.ndim == 2 else alpha[:, :, 0]
        opaque = alpha > 0.5
        strokes_bright = opaque.any() and float(gray[opaque].mean()) > 127.5
        background = 0.0 if strokes_bright else 255.0
        gray = gray * alpha + background * (1.0 - alpha)
    return np.clip(gray / 255.0, 0.0, 1.0).astype(np.float32)


def photo_from_array(rgb_or_gray: np.ndarray, name: str = "array") -> Photo:
    """Wrap an array as a :class:`Photo`.

    Args:
        rgb_or_gray: (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) array. Integer and
            bool arrays are taken as 0..255 (bool as 0/255); float arrays as 0..1
            when their maximum is <= 1, else as 0..255. RGBA is composited on white.
        name: Stored as the photo's ``path``.

    Returns:
        A :class:`Photo` with ``rgb`` uint8 (H, W, 3).

    Raises:
        ImageLoadError: wrong number of dimensions or channels, empty, or NaN/inf.
    """
    a = np.asarray(rgb_or_gray)
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 3, 4)) or a.size == 0:
        raise ImageLoadError(
            f"{name}: received an array of shape {a.shape}; expected (H, W), (H, W, 3) "
            "or (H, W, 4) with H, W >= 1.")
    if a.dtype == bool:
        values = a.astype(np.float32) * 255.0
    elif np.issubdtype(a.dtype, np.integer):
        values = a.astype(np.float32)
    elif np.issubdtype(a.dtype, np.floating):
        if not np.isfinite(a).all():
            raise ImageLoadError(f"{name}: the array holds NaN or infinite values.")
        values = a.astype(np.float32)
        if values.max() <= 1.0:
            values = values * 255.0
    else:
        raise ImageLoadError(f"{name}: received an array of dtype {a.dtype}; expected numbers.")
    if values.ndim == 3 and values.shape[2] == 4:
        alpha = values[:, :, 3:] / 255.0
        values = values[:, :, :3] * alpha + 255.0 * (1.0 - alpha)
    if values.ndim == 3 and values.shape[2] == 1:
        values = values[:, :, 0]
    rgb = _to_uint8(values)
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[:, :, None], 3, axis=2)
    height, width = rgb.shape[:2]
    return Photo(rgb=rgb, path=name, original_size=(width, height), downscaled=False)


def extract_channel(rgb: np.ndarray, channel: str) -> np.ndarray:
    """One channel of a photo, as the lesson slices ``image[:, :, 0]``.

    Args:
        rgb: uint8 (H, W, 3) photo, or an (H, W) grayscale image (every channel
            of a gray image is the image itself).
        channel: ``"red"``, ``"green"``, ``"blue"``, ``"mean"`` (the lesson's grey
            image, (R+G+B)/3) or ``"gray"`` (luminance, ITU-R 601 luma).

    Returns:
        float32 array (H, W) with values 0..255.

    Raises:
        ValueError: unknown channel or an array that is not (H, W) or (H, W, 3+).
    """
    if channel not in CHANNELS:
        raise ValueError(f"Received channel={channel!r}; expected one of {', '.join(CHANNELS)}.")
    a = np.asarray(rgb)
    if a.ndim == 2:
        return a.astype(np.float32)
    if a.ndim != 3 or a.shape[2] < 3:
        raise ValueError(f"Received an array of shape {a.shape}; expected (H, W, 3) or (H, W).")
    if channel == "gray":
        return a[:, :, :3].astype(np.float32) @ _LUMA
    if channel == "mean":
        return a[:, :, :3].astype(np.float32).sum(axis=2) / np.float32(3)
    return a[:, :, CHANNELS.index(channel)].astype(np.float32)


def _decode(path, max_side: int):
    """Open, check and decode ``path``.

    Returns:
        (values, alpha, original_size, downscaled): values float32 (H, W) or
        (H, W, 3) in 0..255; alpha float32 (H, W, 1) in 0..1 or None.
    """
    name = str(path)
    img = _open_checked(path, name)
    try:
        with img:
            width, height = img.size
            downscaled = max(width, height) > max_side
            if downscaled and img.format in ("JPEG", "MPO"):
                # DCT scaling decodes straight to 1/2, 1/4 or 1/8 size: a 108 MP photo
                # never exists in memory at full resolution.
                target = max(1, width * max_side // max(width, height)), max(
                    1, height * max_side // max(width, height))
                img.draft(img.mode, target)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                img.load()  # force the full decode here, where errors are caught
            try:
                ImageOps.exif_transpose(img, in_place=True)
            except Exception:  # noqa: BLE001 - bad EXIF metadata must not reject a photo
                pass
            work = _normalise_mode(img, name)
            if max(work.size) > max_side:
                work.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            values = np.asarray(work, dtype=np.float32)
    except ImageLoadError:
        raise
    except MemoryError:
        raise ImageLoadError(f"{name}: not enough memory to decode this image.") from None
    except Exception as exc:  # noqa: BLE001 - Pillow and its codecs raise many types
        raise ImageLoadError(f"{name}: corrupt or truncated image data ({_first_line(exc)}).") \
            from None
    alpha = None
    if work.mode in ("LA", "RGBA"):
        alpha = values[:, :, -1:] / 255.0
        values = values[:, :, :-1]
        if values.shape[2] == 1:  # LA: gray values (H, W) and alpha (H, W) alike
            values, alpha = values[:, :, 0], alpha[:, :, 0]
    return values, alpha, (width, height), downscaled


def _open_checked(path, name: str) -> Image.Image:
    """Open lazily (header only) and refuse what must not be decoded."""
    p = Path(path)
    try:
        if p.is_dir():
            raise ImageLoadError(f"{name}: is a folder, not an image file.")
        if not p.exists():
            raise ImageLoadError(f"{name}: no such file.")
        if p.stat().st_size == 0:
            raise ImageLoadError(f"{name}: the file is empty.")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(p)
    except ImageLoadError:
        raise
    except PermissionError:
        raise ImageLoadError(f"{name}: permission denied.") from None
    except UnidentifiedImageError:
        raise ImageLoadError(f"{name}: not an image file Pillow can read.") from None
    except Image.DecompressionBombError:
        raise ImageLoadError(
            f"{name}: refused: more than {MAX_PIXELS:,} pixels (a decompression bomb?).") from None
    except Exception as exc:  # noqa: BLE001 - OSError, SyntaxError... from header parsers
        raise ImageLoadError(f"{name}: cannot read the image ({_first_line(exc)}).") from None
    if img.format not in SUPPORTED_FORMATS:
        fmt = img.format
        img.close()
        raise ImageLoadError(
            f"{name}: unsupported format {fmt}; expected JPEG, PNG, BMP, GIF, WebP or TIFF.")
    width, height = img.size
    if width < 1 or height < 1:
        img.close()
        raise ImageLoadError(f"{name}: the image is {width}x{height} pixels, which is empty.")
    if width * height > MAX_PIXELS:
        img.close()
        raise ImageLoadError(
            f"{name}: refused: {width}x{height} is {width * height:,} pixels, more than "
            f"{MAX_PIXELS:,} (a decompression bomb?).")
    return img


def _normalise_mode(img: Image.Image, name: str) -> Image.Image:
    """Convert any Pillow mode to L, LA, RGB, RGBA or F (gray 0..255), keeping alpha.

    Palette and 1-bit images are converted before any resize, because Pillow
    resizes those modes with nearest-neighbour only.
    """
    mode = img.mode
    if mode in ("L", "LA", "RGB", "RGBA"):
        return img
    if mode == "P":
        has_alpha = "transparency" in img.info or img.palette.mode == "RGBA"
        return img.convert("RGBA" if has_alpha else "RGB")
    if mode == "PA":
        return img.convert("RGBA")
    if mode == "1":
        return img.convert("L")
    if mode == "La":
        return img.convert("LA")
    if mode == "RGBa":
        return img.convert("RGBA")
    if mode.startswith("I;16"):
        # 16-bit gray: scale by the bit depth (65535 -> 255) instead of clipping at 255.
        a = np.asarray(img).astype(np.float32) * (255.0 / 65535.0)
        return Image.fromarray(a)
    if mode in ("I", "F"):
        # 32-bit int or float carries no bit depth: stretch its real range to 0..255.
        a = np.asarray(img).astype(np.float64)
        lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
        scaled = (a - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(a)
        return Image.fromarray(np.nan_to_num(scaled).astype(np.float32))
    try:
        return img.convert("RGB")  # CMYK, YCbCr, RGBX, ...
    except ValueError:
        raise ImageLoadError(f"{name}: unsupported pixel mode {mode}.") from None


def _to_uint8(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
