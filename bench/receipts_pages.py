"""Generated English shop receipts for bench/frame_bench.py: thermal (faded grey), dot-matrix (blocky, blurred) or
laser print in monospace and narrow fonts, 32-48 columns; scanned (half of them lying on a dark lid) or photographed
on a table under uneven light; saved as JPEG (quality 60/75/90) or PNG, with the true DPI, with JFIF 72 or with none.

    .venv/bin/python bench/receipts_pages.py OUT_DIR FIRST_SEED END_SEED

Each receipt: rNNN.jpg|png, rNNN.gt.txt (its lines) and rNNN.json (how it was made). Seeds 0-49 were used to look at
failures (ocr.frame); seeds 100-149 are the held-out set reported in bench/results/frame.md; since the probe's
capitals fix (bench/results/english.md) 0-149 are tuning and 300-379 (and `receipt(seed, varied=True)`) held out.
Needs the Debian packages fonts-urw-base35 (Nimbus fonts) and fonts-liberation (varied).
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = {
    "dvmono": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "nimbusmono": "/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Regular.otf",
    "nimbusmonob": "/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Bold.otf",
    "narrow": "/usr/share/fonts/opentype/urw-base35/NimbusSansNarrow-Regular.otf",
    "dvcond": "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
    "nimbussans": "/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf",
}
STORES = ["SRI GANESH TRADERS", "MAHALAXMI KIRANA STORE", "NEW BHARAT MEDICALS", "CITY SUPER MART",
          "AGRAWAL STATIONERS", "JAI AMBE GENERAL STORE", "KRISHNA HARDWARE", "RELIANCE FRESH", "D MART",
          "PATEL ELECTRICALS", "OM SAI XEROX"]
ITEMS = ["RICE BASMATI 1KG", "TOOR DAL", "SUGAR 5KG", "A4 PAPER REAM", "STAPLER PINS", "FILE COVER", "BALL PEN BLUE",
         "TONER CARTRIDGE", "CELLO TAPE", "REGISTER 200PG", "PARACETAMOL 500", "SOAP LUX", "MILK 1L", "TEA 250G",
         "BISCUIT PARLE G", "CABLE 2.5MM", "LED BULB 9W", "SWITCH BOARD", "ENVELOPE A4", "PRINTER INK BLACK"]
CITIES = ["BHOPAL", "INDORE", "SAGAR", "REWA", "GWALIOR", "JABALPUR", "UJJAIN", "SATNA", "DEWAS", "KATNI"]
PRINTER_DPI = 203
VARIED_FONTS = {     # held-out variety (varied=True): fonts the tuning seeds never use
    "libmono": "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
    "libmonob": "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf",
    "dvmonob": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "libnarrow": "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
    "narrowb": "/usr/share/fonts/opentype/urw-base35/NimbusSansNarrow-Bold.otf",
    "libsans": "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
}


def lines(rng: random.Random, width: int) -> list[str]:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    out = [rng.choice(STORES), f"{rng.randint(1, 400)} M.G. ROAD, {rng.choice(CITIES)}",
           f"PH: 0{rng.randint(700, 799)}-{rng.randint(2000000, 2999999)}",
           f"GSTIN: 23{''.join(rng.choice(letters) for _ in range(5))}{rng.randint(1000, 9999)}A1Z{rng.randint(1, 9)}",
           "-" * width,
           f"BILL NO: {rng.randint(100, 99999)}   DATE: {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/"
           f"20{rng.randint(15, 26)}",
           f"CASHIER: {rng.choice(['RAMESH', 'SUNITA', 'AMIT', 'POOJA'])}   TIME: {rng.randint(9, 21):02d}:"
           f"{rng.randint(0, 59):02d}",
           "-" * width, "ITEM".ljust(width - 16) + "QTY    AMOUNT"]
    total = 0.0
    for _ in range(rng.randint(4, 12)):
        name = rng.choice(ITEMS)[: width - 17]
        qty = rng.randint(1, 5)
        amount = round(qty * rng.uniform(5, 450), 2)
        total += amount
        out.append(name.ljust(width - 16) + f"{qty:>3}  {amount:>9.2f}")
    for label, value in (("SUBTOTAL", total), ("CGST 9%", total * .09), ("SGST 9%", total * .09),
                         ("TOTAL", total * 1.18)):
        out.append(label.ljust(width - 12) + f"{value:>12.2f}")
    out[-4:-4] = ["-" * width]
    return [*out, "-" * width, "THANK YOU VISIT AGAIN", "GOODS ONCE SOLD WILL NOT BE TAKEN BACK"]


def receipt(seed: int, varied: bool = False) -> tuple[Image.Image, str, dict]:
    """One receipt image (mode L), its text and how it was made. `varied` (held-out variety; the same random stream
    as without it, so it is the same receipt otherwise): other monospace/sans fonts, any DPI 150-300, and a photo's
    light harsher (a brighter spot, a shadow edge across the slip)."""
    rng = random.Random(seed)
    vrng = random.Random(f"varied-{seed}")
    font_name = rng.choice(list(FONTS))
    if varied:
        font_name = vrng.choice(list(VARIED_FONTS))
    width = rng.choice([32, 40, 42, 48])
    text = lines(rng, width)
    size = rng.choice([20, 22, 24, 26])          # printer dots
    try:
        font = ImageFont.truetype((VARIED_FONTS if varied else FONTS)[font_name], size)
    except OSError as e:     # scripts/setup.sh does not install the URW fonts: without them the seeds change
        raise SystemExit(f"{FONTS[font_name]} is missing: apt-get install fonts-urw-base35") from e
    pitch = int(size * rng.uniform(1.15, 1.5))
    w = max(font.getbbox(s)[2] for s in text) + 40
    h = pitch * len(text) + 80
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    centred = {0, 1, 2, 3, len(text) - 2, len(text) - 1}
    for i, s in enumerate(text):
        draw.text(((w - font.getbbox(s)[2]) // 2 if i in centred else 20, 30 + i * pitch), s, font=font, fill=0)
    style = rng.choice(["thermal", "thermal", "dotmatrix", "laser"])
    a = np.asarray(img, dtype=np.float32)
    if style == "thermal":      # faded grey print, fading along the roll
        fade = rng.uniform(0.35, 0.8)
        along = np.linspace(rng.uniform(0.6, 1), rng.uniform(0.6, 1), a.shape[0])[:, None]
        a = 255 - (255 - a) * fade * along
    elif style == "dotmatrix":
        dots = img.resize((w // 3, h // 3), Image.Resampling.BOX).point(lambda v: 0 if v < 160 else 255)
        soft = dots.resize((w, h), Image.Resampling.NEAREST).filter(ImageFilter.GaussianBlur(1.2))
        a = 255 - (255 - np.asarray(soft, dtype=np.float32)) * rng.uniform(0.5, 0.9)
    paper = rng.uniform(215, 250)
    a = a * paper / 255 + np.random.default_rng(seed).normal(0, rng.uniform(2, 10), a.shape)
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    dpi = rng.choice([150, 200, 300])
    if varied:
        dpi = vrng.randint(150, 300)
    img = img.resize((int(w * dpi / PRINTER_DPI), int(h * dpi / PRINTER_DPI)), Image.Resampling.LANCZOS)
    capture = rng.choice(["scan", "scan", "photo"])
    if capture == "photo" or rng.random() < 0.5:   # on a darker lid or table, tilted
        tilt = rng.uniform(-3, 3)
        ground = int(rng.uniform(60, 170))
        pad = int(img.width * rng.uniform(0.05, 0.25))
        canvas = Image.new("L", (img.width + 2 * pad, img.height + 2 * pad), ground)
        canvas.paste(img, (pad, pad))
        img = canvas.rotate(tilt, resample=Image.Resampling.BILINEAR, fillcolor=ground)
    if capture == "photo":      # light falling off from a point, slightly out of focus
        b = np.asarray(img, dtype=np.float32)
        yy, xx = np.mgrid[0:b.shape[0], 0:b.shape[1]]
        light = 1 - 0.35 * ((xx / b.shape[1] - rng.random()) ** 2 + (yy / b.shape[0] - rng.random()) ** 2)
        if varied:      # a harsher fall-off and the soft edge of a hand's or a phone's shadow
            light = 1 - vrng.uniform(0.35, 0.6) * (1 - light) / 0.35
            angle, at = vrng.uniform(0, 2 * np.pi), vrng.uniform(0.2, 0.8)
            across = (xx / b.shape[1] - at) * np.cos(angle) + (yy / b.shape[0] - at) * np.sin(angle)
            light = light * (1 - vrng.uniform(0.15, 0.4) / (1 + np.exp(-across * 40)))
        img = Image.fromarray(np.clip(b * light, 0, 255).astype(np.uint8))
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
    save = rng.choice(["jpg_nodpi", "jpg_72", "jpg_dpi", "png_nodpi", "png_dpi"])
    meta = {"font": font_name, "size": size, "style": style, "dpi": dpi, "capture": capture, "save": save,
            "width": width, "quality": rng.choice([60, 75, 90]), "varied": varied}
    return img, "\n".join(text), meta


def write(img: Image.Image, meta: dict, path: Path) -> Path:
    save = meta["save"]
    kw: dict = {}
    if save.endswith("_dpi"):
        kw["dpi"] = (meta["dpi"], meta["dpi"])
    elif save.endswith("_72"):
        kw["dpi"] = (72, 72)
    if save.startswith("jpg"):
        path = path.with_suffix(".jpg")
        img.convert("RGB").save(path, quality=meta["quality"], **kw)
    else:
        path = path.with_suffix(".png")
        img.save(path, **kw)
    return path


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for seed in range(int(sys.argv[2]), int(sys.argv[3])):
        img, truth, meta = receipt(seed)
        path = write(img, meta, out / f"r{seed:03d}")
        path.with_suffix(".gt.txt").write_text(truth, encoding="utf-8")
        path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")


if __name__ == "__main__":
    main()
