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

from digitlab.engine.errors import one_line
from digitlab.engine.safe_files import UnsafeFileError, open_regular

#: Photos whose longer side exceeds this are downscaled to it when loaded.
WORKING_MAX_SIDE = 2048
#: Images with more pixels than this (read from the header) are refused undecoded.
MAX_PIXELS = 200_000_000
#: Most bytes the full-resolution decode (and the mode conversion before any
#: downscale) may take, counted from the header's size, pixel mode and bit depth.
#: 384 MiB is a 96-megapixel 8-bit RGB image (Pillow keeps RGB in 4 bytes a pixel);
#: camera JPEGs of any size pass because they are decoded at reduced size.
MAX_DECODE_BYTES = 384 << 20
#: Image files larger than this are refused before they are opened.
MAX_FILE_BYTES = 256 << 20
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

# Peak bytes per pixel of decoding plus the conversion in _normalise_mode, both at full
# resolution, by Pillow mode. Pillow stores every multi-band mode in 4 bytes a pixel;
# palette images are expanded to RGBA (4) and resized premultiplied (4 more);
# 16- and 32-bit modes are copied out to numpy and back (see _normalise_mode).
_PEAK_BYTES_PER_PIXEL = {
    "1": 2, "L": 1, "P": 9, "PA": 9, "LA": 8, "La": 8, "RGB": 4, "RGBA": 8, "RGBa": 8,
    "RGBX": 8, "CMYK": 8, "YCbCr": 8, "LAB": 8, "HSV": 8,
    "I;16": 12, "I;16L": 12, "I;16B": 12, "I;16N": 12, "I": 16, "F": 16,
}
_DEFAULT_PEAK_BYTES_PER_PIXEL = 16
# Pillow's storage bytes per pixel, for the copy an EXIF rotation makes.
_STORED_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}

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


def load_photo(path: str | os.PathLike, max_side: int = WORKING_MAX_SIDE, *,
               max_decode_bytes: int | None = None) -> Photo:
    """Load a photo as RGB, reducing it if its longer side exceeds ``max_side``.

    Args:
        path: An image file (JPEG, PNG, BMP, GIF, WebP or TIFF).
        max_side: Longest side, in pixels, of the returned photo.
        max_decode_bytes: most bytes decoding may take (default :data:`MAX_DECODE_BYTES`);
            checked from the header, before any pixel is decoded.

    Returns:
        A :class:`Photo` with ``rgb`` uint8 (H, W, 3), H and W <= ``max_side``.

    Raises:
        ImageLoadError: missing, not a regular file, unreadable, empty, not an image,
            unsupported format, corrupt or truncated data, more than ``MAX_PIXELS``
            pixels or more than ``max_decode_bytes`` to decode.
    """
    if int(max_side) < 1:
        raise ValueError(f"Received max_side={max_side!r}; max_side must be >= 1.")
    values, alpha, original_size, downscaled = _decode(path, int(max_side), max_decode_bytes)
    if alpha is not None:  # composite on white, as a browser shows a transparent photo
        values = values * alpha + 255.0 * (1.0 - alpha)
    rgb = _to_uint8(values)
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[:, :, None], 3, axis=2)
    return Photo(rgb=rgb, path=str(path), original_size=original_size, downscaled=downscaled)


def load_digit_image(path: str | os.PathLike, *,
                     max_decode_bytes: int | None = None) -> np.ndarray:
    """Load an image of a handwritten digit as grayscale for prediction.

    Transparent pixels become background: they are composited onto the colour
    opposite to the opaque strokes (white strokes on transparency land on black,
    dark strokes on white), so the caller's ink detection sees real contrast.

    Args:
        path: An image file, as for :func:`load_photo`.
        max_decode_bytes: as for :func:`load_photo`.

    Returns:
        float32 array (H, W) in [0, 1]; the longer side is at most ``WORKING_MAX_SIDE``.

    Raises:
        ImageLoadError: as :func:`load_photo`.
    """
    values, alpha, _, _ = _decode(path, WORKING_MAX_SIDE, max_decode_bytes)
    gray = values @ _LUMA if values.ndim == 3 else values
    if alpha is not None:
        alpha = alpha if alpha.ndim == 2 else alpha[:, :, 0]
        gray = gray * alpha + _digit_background(gray, alpha) * (1.0 - alpha)
    return np.clip(gray / 255.0, 0.0, 1.0).astype(np.float32)


def _digit_background(gray: np.ndarray, alpha: np.ndarray) -> float:
    """The grey (0..255) that transparent pixels of a digit image stand for.

    Strokes alone on a transparent sheet: the colour opposite to the strokes
    (white strokes land on black, dark strokes on white). An opaque sheet of paper
    with the digit on it, framed by transparency: the paper's colour, the larger
    of two clear tones among the opaque pixels (reading the frame as ink would
    turn a 7 into another digit).
    """
    opaque = alpha > 0.5
    if not opaque.any():
        return 255.0
    tones = gray[opaque]
    dark, bright = float(np.mean(tones < 64)), float(np.mean(tones > 191))
    if opaque.mean() >= 0.3 and min(dark, bright) >= 0.05:
        return 255.0 if bright > dark else 0.0  # a sheet of paper: its tone is the majority
    return 0.0 if float(tones.mean()) > 127.5 else 255.0


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


def _decode(path, max_side: int, max_decode_bytes: int | None = None):
    """Open, check and decode ``path``.

    Returns:
        (values, alpha, original_size, downscaled): values float32 (H, W) or
        (H, W, 3) in 0..255; alpha float32 (H, W, 1) in 0..1 or None.
    """
    name = str(path)
    limit = MAX_DECODE_BYTES if max_decode_bytes is None else int(max_decode_bytes)
    fh = _open_file(path, name)
    try:
        img = _open_checked(fh, name)
        with img:
            width, height = img.size
            downscaled = max(width, height) > max_side
            if downscaled and img.format in ("JPEG", "MPO"):
                # DCT scaling decodes straight to 1/2, 1/4 or 1/8 size: a 108 MP photo
                # never exists in memory at full resolution.
                target = max(1, width * max_side // max(width, height)), max(
                    1, height * max_side // max(width, height))
                img.draft(img.mode, target)
            _check_decode_bytes(img, name, limit)
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
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
        raise ImageLoadError(f"{name}: corrupt or truncated image data "
                             f"({one_line(exc, name_file=False)}).") from None
    finally:
        fh.close()
    alpha = None
    if work.mode in ("LA", "RGBA"):
        alpha = values[:, :, -1:] / 255.0
        values = values[:, :, :-1]
        if values.shape[2] == 1:  # LA: gray values (H, W) and alpha (H, W) alike
            values, alpha = values[:, :, 0], alpha[:, :, 0]
    return values, alpha, (width, height), downscaled


def decode_bytes(mode: str, size: tuple[int, int], rotated: bool = False) -> int:
    """Peak bytes of decoding a ``mode`` image of ``size`` (w, h) and converting its mode.

    Args:
        mode: the Pillow mode the header declares (after any JPEG draft).
        size: (width, height) that will be decoded.
        rotated: an EXIF orientation will be applied (one more full-size copy).
    """
    pixels = size[0] * size[1]
    per_pixel = _PEAK_BYTES_PER_PIXEL.get(mode, _DEFAULT_PEAK_BYTES_PER_PIXEL)
    if rotated:
        per_pixel += _STORED_BYTES.get(mode, 4)
    return pixels * per_pixel


def _check_decode_bytes(img: Image.Image, name: str, limit: int) -> None:
    """Refuse, from the header alone, an image whose decode would pass ``limit`` bytes."""
    if img.format == "PNG" and "exif" not in img.info:
        # PNG's getexif() decodes the whole image to look for an eXIf chunk after the
        # pixels: exactly what must not happen here. Such late chunks are rare.
        rotated = False
    else:
        try:
            rotated = img.getexif().get(0x0112, 1) not in (1, None)
        except Exception:  # noqa: BLE001 - unreadable EXIF: assume the worst
            rotated = True
    need = decode_bytes(img.mode, img.size, rotated)
    if need > limit:
        w, h = img.size
        raise ImageLoadError(
            f"{name}: refused: decoding this {w}x{h} {img.mode} image takes about "
            f"{need / 2**20:,.0f} MiB, more than the limit of {limit / 2**20:,.0f} MiB "
            "(a decompression bomb?).")


def _open_file(path, name: str):
    """The file, opened only if it is a regular file of at most MAX_FILE_BYTES."""
    try:
        return open_regular(path, "file", max_bytes=MAX_FILE_BYTES)
    except UnsafeFileError as exc:
        reason = str(exc).removeprefix(f"{Path(path).expanduser()}: ")
        raise ImageLoadError(f"{name}: {reason}.") from None


def _open_checked(fh, name: str) -> Image.Image:
    """Open lazily (header only) and refuse what must not be decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(fh)
    except PermissionError:
        raise ImageLoadError(f"{name}: permission denied.") from None
    except UnidentifiedImageError:
        raise ImageLoadError(f"{name}: not an image file Pillow can read.") from None
    except Image.DecompressionBombError:
        raise ImageLoadError(
            f"{name}: refused: more than {MAX_PIXELS:,} pixels (a decompression bomb?).") from None
    except Exception as exc:  # noqa: BLE001 - OSError, SyntaxError... from header parsers
        raise ImageLoadError(
            f"{name}: cannot read the image ({one_line(exc, name_file=False)}).") from None
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
        a = np.asarray(img, dtype=np.float32)
        a *= np.float32(255.0 / 65535.0)
        return Image.fromarray(a)
    if mode in ("I", "F"):
        return Image.fromarray(_stretch_to_255(np.array(img, dtype=np.float32)))
    try:
        return img.convert("RGB")  # CMYK, YCbCr, RGBX, ...
    except ValueError:
        raise ImageLoadError(f"{name}: unsupported pixel mode {mode}.") from None


def _stretch_to_255(a: np.ndarray) -> np.ndarray:
    """Stretch 32-bit int or float values (no bit depth) to 0..255, in place.

    NaN becomes the lowest value, +inf the highest, -inf the lowest; float32
    extremes do not overflow (scaled before shifting). No warnings.
    """
    finite = np.isfinite(a)
    if not finite.any():
        a[...] = 0.0
        return a
    lo, hi = float(a[finite].min()), float(a[finite].max())
    np.copyto(a, np.float32(hi), where=np.isposinf(a))
    np.copyto(a, np.float32(lo), where=~finite & ~np.isposinf(a))
    if hi <= lo:
        a[...] = 0.0
        return a
    scale = 255.0 / (hi - lo)  # Python floats: hi - lo may exceed float32's range
    a *= np.float32(scale)
    a -= np.float32(lo * scale)
    np.clip(a, 0.0, 255.0, out=a)
    return a


def _to_uint8(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)
