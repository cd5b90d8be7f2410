"""Affine maps between the page as scanned and the page as tesseract read it, in PDF units (y up).

A matrix is the PDF `cm` six-tuple (a, b, c, d, e, f): x' = a·x + c·y + e, y' = b·x + d·y + f.
Turns and tilts are counter-clockwise as seen on screen (the sense of Pillow's `rotate` and `Transpose.ROTATE_90`).
"""
from __future__ import annotations

import math

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def compose(*ms: Matrix) -> Matrix:
    """The map that applies ms[0] first, then ms[1], ..."""
    a, b, c, d, e, f = IDENTITY
    for a2, b2, c2, d2, e2, f2 in ms:
        a, b, c, d, e, f = (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
                            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)
    return a, b, c, d, e, f


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def scale(sx: float, sy: float) -> Matrix:
    return sx, 0.0, 0.0, sy, 0.0, 0.0


def translate(tx: float, ty: float) -> Matrix:
    return 1.0, 0.0, 0.0, 1.0, tx, ty


def rotate(degrees: float, cx: float = 0.0, cy: float = 0.0) -> Matrix:
    """Counter-clockwise about (cx, cy)."""
    r = math.radians(degrees)
    cos, sin = math.cos(r), math.sin(r)
    return compose(translate(-cx, -cy), (cos, sin, -sin, cos, 0.0, 0.0), translate(cx, cy))


def turn(degrees: int, width: float, height: float) -> Matrix:
    """A quarter turn counter-clockwise of a width × height box at the origin, landing back at the origin."""
    degrees %= 360
    shift = {0: (0.0, 0.0), 90: (height, 0.0), 180: (width, height), 270: (0.0, width)}
    if degrees not in shift:
        raise ValueError(f"a turn is 0, 90, 180 or 270 degrees, not {degrees}")
    return compose(rotate(degrees), translate(*shift[degrees]))


def turned_size(degrees: int, width: float, height: float) -> tuple[float, float]:
    return (height, width) if degrees % 180 else (width, height)


def read_to_scanned(turn_ccw: int, deskew: float, width: float, height: float) -> Matrix:
    """Map the page tesseract read (turned by `turn_ccw`, then levelled by `deskew` about its centre) back onto the
    scanned page of `width` × `height`: undo the levelling, then undo the turn."""
    tw, th = turned_size(turn_ccw, width, height)
    return compose(rotate(-deskew, tw / 2, th / 2), turn(-turn_ccw % 360, tw, th))
