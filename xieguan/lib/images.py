"""Uploaded images (photos, signatures): checked, re-encoded, stripped, stamped.

Nothing uploaded is stored as sent: inspection photos and signatures, lead and 协查 photos,
publicity photos, assistants' photos and the images attached to tasks all pass through here.
``load_image`` refuses what is too large or is not really
an image (Pillow ``verify`` on the content, whatever the name or the declared type says);
``photo_bytes`` and ``signature_bytes`` re-encode it (JPEG / PNG), which drops EXIF and any
other metadata, after turning it upright; ``stamp`` draws text into the pixels with the
shipped font, so the time, place and employer name stay with the image wherever it goes.
"""

from __future__ import annotations

import base64
import binascii
import io
import uuid
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP"})
MAX_PIXELS = 50_000_000  # 50 megapixels: more is a decompression bomb, not a phone photo
PHOTO_MAX_SIDE = 2048
SIGNATURE_MAX_SIDE = 1200
FONT_FILE = Path(settings.BASE_DIR) / "xieguan" / "documents" / "fonts" / "wqy-microhei.ttc"


def max_bytes() -> int:
    return int(getattr(settings, "XIEGUAN_MAX_IMAGE_BYTES", 10 * 1024 * 1024))


def read_upload(upload: object) -> bytes:
    """The bytes of an uploaded file (Django UploadedFile or bytes), refusing oversized ones early."""
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > max_bytes():
            raise _too_large(size)
        if callable(getattr(upload, "seek", None)):
            upload.seek(0)  # type: ignore[attr-defined]  # a form's check may have read it
        data = upload.read(max_bytes() + 1)  # type: ignore[attr-defined]
    if len(data) > max_bytes():
        raise _too_large(len(data))
    return data


def _too_large(size: int) -> ValidationError:
    return ValidationError(
        "图片太大（%(size).1f MB），不能超过 %(max).0f MB。",
        code="image_too_large",
        params={"size": size / 1024 / 1024, "max": max_bytes() / 1024 / 1024},
    )


def decode_data_url(value: str) -> bytes:
    """The bytes of a ``data:image/png;base64,...`` URL (as a canvas gives) or plain base64."""
    text = value.strip()
    if text.startswith("data:"):
        header, _, text = text.partition(",")
        if ";base64" not in header:
            raise ValidationError("图片数据格式不对。", code="image_data_url")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError("图片数据格式不对。", code="image_data_url") from exc
    if len(data) > max_bytes():
        raise _too_large(len(data))
    return data


def load_image(data: bytes) -> Image.Image:
    """Open and verify the content; refuse anything that is not a whole, plausible image."""
    if not data:
        raise ValidationError("图片是空的。", code="image_empty")
    if len(data) > max_bytes():
        raise _too_large(len(data))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError("文件不是有效的图片（内容无法识别或已损坏）。", code="image_invalid") from exc
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(
            "不支持的图片格式（%(fmt)s），请上传 JPEG 或 PNG。", code="image_format", params={"fmt": fmt}
        )
    if width * height > MAX_PIXELS or width < 1 or height < 1:
        raise ValidationError(
            "图片尺寸不合理（%(w)s×%(h)s）。", code="image_pixels", params={"w": width, "h": height}
        )
    try:
        img = Image.open(io.BytesIO(data))
        img.load()  # decode fully: a truncated file fails here, not later
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError("文件不是有效的图片（内容无法识别或已损坏）。", code="image_invalid") from exc
    return img


def _upright(img: Image.Image, max_side: int) -> Image.Image:
    img = ImageOps.exif_transpose(img) or img
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return img


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILE), size=size, index=0)


def stamp(img: Image.Image, lines: Sequence[str]) -> Image.Image:
    """Draw ``lines`` on a dark band across the bottom of the image (in the pixels)."""
    lines = [line for line in lines if line]
    if not lines:
        return img
    img = img.convert("RGB")
    width, height = img.size
    size = max(14, min(width, height) // 28)
    font = _font(size)
    pad = size // 2
    line_h = int(size * 1.35)
    band_h = pad * 2 + line_h * len(lines)
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle([(0, height - band_h), (width, height)], fill=(0, 0, 0, 150))
    y = height - band_h + pad
    for line in lines:
        draw.text((pad, y), line, font=font, fill=(255, 255, 255, 255))
        y += line_h
    return Image.alpha_composite(img.convert("RGBA"), overlay).convert("RGB")


def photo_bytes(data: bytes, stamp_lines: Sequence[str] = ()) -> bytes:
    """A checked photo, upright, at most PHOTO_MAX_SIDE, stamped, re-encoded as JPEG (no EXIF)."""
    img = _upright(load_image(data), PHOTO_MAX_SIDE)
    if img.mode not in ("RGB", "L"):
        background = Image.new("RGB", img.size, (255, 255, 255))
        rgba = img.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        img = background
    img = stamp(img, stamp_lines)
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def photo_file(upload: object, stamp_lines: Sequence[str] = ()) -> ContentFile[bytes]:
    """An uploaded photo (UploadedFile or bytes) checked and re-encoded by ``photo_bytes``, as a
    file to store under a new random name (``<hex>.jpg``): what is stored is never what was sent.

    A refusal names the file: ``照片“x.jpg”：文件不是有效的图片…``."""
    name = str(getattr(upload, "name", "") or "")
    try:
        content = photo_bytes(read_upload(upload), stamp_lines)
    except ValidationError as exc:
        if not name:
            raise
        text = " ".join(exc.messages)
        params = {"name": name, "reason": text}
        raise ValidationError(
            "照片“%(name)s”：%(reason)s", code=exc.code or "image_invalid", params=params
        ) from exc
    return ContentFile(content, name=f"{uuid.uuid4().hex}.jpg")


def photo_files(uploads: Iterable[object]) -> list[ContentFile[bytes]]:
    """Every upload through ``photo_file``, all checked before any is stored (all or nothing)."""
    return [photo_file(upload) for upload in uploads]


def signature_bytes(data: bytes) -> bytes:
    """A checked signature drawing, re-encoded as a grayscale PNG on white (prints the same
    everywhere). zlib's fastest level: the same pixels (PNG is lossless), half the encoding time
    of the default level 6 and about 1.7 times the bytes (a 600 × 250 drawing: 11 KB instead of
    6 KB); not ``optimize``, which tries every zlib setting and costs five times the rest."""
    img = _upright(load_image(data), SIGNATURE_MAX_SIDE).convert("RGBA")
    flat = Image.new("L", img.size, 255)
    flat.paste(img.convert("L"), mask=img.getchannel("A"))
    if _blank(flat):
        raise ValidationError("签名是空白的，请重新签字。", code="signature_blank")
    out = io.BytesIO()
    flat.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _blank(flat: Image.Image) -> bool:
    """True when there is no dark stroke at all (an untouched canvas), on the drawing flattened on white."""
    low = flat.getextrema()[0]
    return isinstance(low, int | float) and low > 200
