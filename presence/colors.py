"""Participant colours: 12 hues far apart from each other, each dark enough for white label text and bright
enough to stand out on both Monaco's light (`vs`) and dark (`vs-dark`) backgrounds."""

PALETTE = (
    '#e53935',  # red
    '#1e88e5',  # blue
    '#43a047',  # green
    '#8e24aa',  # purple
    '#f4511e',  # deep orange
    '#00897b',  # teal
    '#d81b60',  # pink
    '#3949ab',  # indigo
    '#7cb342',  # light green
    '#c0ca33',  # lime
    '#00acc1',  # cyan
    '#fb8c00',  # orange
)


def pick_color(taken: list[str]) -> str:
    """The first palette colour nobody in the interview has; past 12 people, the least used one."""
    for color in PALETTE:
        if color not in taken:
            return color
    return min(PALETTE, key=taken.count)
