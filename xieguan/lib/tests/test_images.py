"""Upload checks: real content, size, re-encoding without EXIF, stamping into the pixels."""

import io
import struct

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from xieguan.inspections.tests.factories import jpeg, png
from xieguan.lib import images


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return exc.value.code


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4 this is a pdf, named photo.jpg",
        b"<html><script>alert(1)</script></html>",
        b"MZ\x90\x00\x03 an exe",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature and nothing valid after it
    ],
)
def test_non_images_are_refused(data):
    with pytest.raises(ValidationError) as exc:
        images.photo_bytes(data)
    assert codes(exc) == "image_invalid"
    assert "不是有效的图片" in exc.value.messages[0]


def test_truncated_jpeg_is_refused():
    data = jpeg((1200, 900))
    with pytest.raises(ValidationError) as exc:
        images.photo_bytes(data[: len(data) // 2])
    assert codes(exc) == "image_invalid"


def test_empty_is_refused():
    with pytest.raises(ValidationError) as exc:
        images.load_image(b"")
    assert codes(exc) == "image_empty"


def test_oversized_upload_is_refused_before_reading(settings):
    settings.XIEGUAN_MAX_IMAGE_BYTES = 1000
    upload = SimpleUploadedFile("big.jpg", jpeg((1600, 1200)), content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        images.read_upload(upload)
    assert codes(exc) == "image_too_large" and "不能超过" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        images.photo_bytes(jpeg((1600, 1200)))


def test_decompression_bomb_is_refused():
    # A PNG header claiming 100000 x 100000 pixels (ten gigapixels) with almost no data.
    img = Image.new("1", (1, 1))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    data = bytearray(buf.getvalue())
    data[16:24] = struct.pack(">II", 100_000, 100_000)
    with pytest.raises(ValidationError) as exc:
        images.load_image(bytes(data))
    assert codes(exc) in {"image_invalid", "image_pixels"}


def test_unsupported_format_is_refused():
    buf = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buf, "TIFF")
    with pytest.raises(ValidationError) as exc:
        images.load_image(buf.getvalue())
    assert codes(exc) == "image_format"


def test_photo_is_reencoded_without_exif_and_resized():
    out = images.photo_bytes(jpeg((4000, 3000), exif=True))
    img = Image.open(io.BytesIO(out))
    assert img.format == "JPEG" and max(img.size) == images.PHOTO_MAX_SIDE
    assert not img.getexif() and b"secret-software" not in out and b"TestCam" not in out


def test_png_photo_with_transparency_becomes_jpeg():
    out = images.photo_bytes(png((300, 200)))
    assert Image.open(io.BytesIO(out)).format == "JPEG"


def test_stamp_is_in_the_pixels():
    plain = Image.open(io.BytesIO(images.photo_bytes(jpeg((800, 600)))))
    stamped = Image.open(
        io.BytesIO(images.photo_bytes(jpeg((800, 600)), ["时间：2026-03-05 14:30:00", "单位：测试"]))
    )
    assert plain.size == stamped.size
    # the band at the bottom is darker than the photo's plain blue
    bottom = (400, 590)
    dark, light = stamped.getpixel(bottom), plain.getpixel(bottom)
    assert isinstance(dark, tuple) and isinstance(light, tuple)
    assert sum(dark) < sum(light) - 100


def test_signature_becomes_png_on_white():
    out = images.signature_bytes(png())
    img = Image.open(io.BytesIO(out))
    assert img.format == "PNG" and img.mode == "L" and img.getpixel((0, 0)) == 255
    low = img.getextrema()[0]
    assert isinstance(low, int) and low < 50  # the stroke stays dark
    assert not img.info  # nothing carried over from the upload
    # the drawing's pixels, flattened on white, whatever zlib level wrote them (lossless)
    drawn = Image.open(io.BytesIO(png())).convert("RGBA")
    flat = Image.new("L", drawn.size, 255)
    flat.paste(drawn.convert("L"), mask=drawn.getchannel("A"))
    assert img.tobytes() == flat.tobytes()


def test_blank_signature_is_refused():
    with pytest.raises(ValidationError) as exc:
        images.signature_bytes(png(stroke=False))
    assert codes(exc) == "signature_blank"


def test_data_urls():
    import base64

    raw = png()
    assert images.decode_data_url("data:image/png;base64," + base64.b64encode(raw).decode()) == raw
    with pytest.raises(ValidationError):
        images.decode_data_url("data:image/png;base64,@@@not base64@@@")
    with pytest.raises(ValidationError):
        images.decode_data_url("data:text/plain,hello")
