"""Draw the field app's icons (xieguan/static/xieguan/field/icons/) with Pillow.

Run once after changing the design: ``.venv/bin/python scripts/make_icons.py``. A white "协"
on Bootstrap's primary blue, a thin white ring; the maskable icon keeps the glyph inside the
central 80 % safe zone.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BLUE = (13, 110, 253)
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
OUT = Path(__file__).resolve().parents[1] / "xieguan" / "static" / "xieguan" / "field" / "icons"


def icon(size: int, maskable: bool = False) -> Image.Image:
    scale = 4  # draw large, shrink: smooth edges
    big = size * scale
    img = Image.new("RGB", (big, big), BLUE)
    draw = ImageDraw.Draw(img)
    inner = 0.62 if maskable else 0.78
    pad = big * (1 - inner) / 2
    draw.ellipse([pad, pad, big - pad, big - pad], outline="white", width=max(2, big // 48))
    font = ImageFont.truetype(FONT, int(big * inner * 0.62))
    draw.text((big / 2, big / 2), "协", font=font, fill="white", anchor="mm")
    return img.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size).save(OUT / f"icon-{size}.png", optimize=True)
    icon(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    icon(180).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
