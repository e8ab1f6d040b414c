"""``digitlab fetch-hand-fonts`` and the Fontsource handwriting fonts' place in the gate's data."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from digitlab.cli import fetch_hand_fonts as fetch
from digitlab.engine import gate_fonts

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _tarball(path: Path, members: dict[str, bytes], links: tuple[str, ...] = ()) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name in links:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
    return path


def test_the_latin_regular_woff_and_licence_are_installed_under_the_family_name(tmp_path):
    tarball = _tarball(tmp_path / "p.tgz", {
        "package/files/indie-flower-latin-300-normal.woff": b"light",
        "package/files/indie-flower-latin-700-normal.woff": b"bold",
        "package/files/indie-flower-latin-400-normal.woff": b"regular",
        "package/files/indie-flower-latin-400-normal.woff2": b"woff2",
        "package/LICENSE": b"OFL",
    })
    dest = tmp_path / "fonts"
    dest.mkdir()
    font = fetch.install_from_tarball(tarball, "indie-flower", dest)
    assert font == dest / "indieflower.woff" and font.read_bytes() == b"regular"
    assert (dest / "indieflower.LICENSE").read_bytes() == b"OFL"
    assert sorted(p.name for p in dest.iterdir()) == ["indieflower.LICENSE", "indieflower.woff"]


def test_another_latin_weight_is_taken_when_there_is_no_regular(tmp_path):
    names = ["package/files/kalam-latin-700-normal.woff",
             "package/files/kalam-latin-300-normal.woff",
             "package/files/kalam-latin-300-italic.woff",
             "package/files/kalam-latin-ext-300-normal.woff"]
    assert fetch.woff_member(names, "kalam") == "package/files/kalam-latin-300-normal.woff"
    assert fetch.woff_member(names[2:], "kalam") is None


def test_a_package_without_the_font_or_with_a_link_or_a_huge_member_is_refused(tmp_path,
                                                                              monkeypatch):
    dest = tmp_path / "fonts"
    dest.mkdir()
    empty = _tarball(tmp_path / "a.tgz", {"package/LICENSE": b"OFL"})
    with pytest.raises(ValueError, match="without a Latin WOFF"):
        fetch.install_from_tarball(empty, "caveat", dest)
    linked = _tarball(tmp_path / "b.tgz", {}, links=("package/files/caveat-latin-400-normal.woff",))
    with pytest.raises(ValueError, match="regular file"):
        fetch.install_from_tarball(linked, "caveat", dest)
    monkeypatch.setattr(fetch, "MAX_MEMBER_BYTES", 10)
    big = _tarball(tmp_path / "c.tgz", {"package/files/caveat-latin-400-normal.woff": b"x" * 11})
    with pytest.raises(ValueError, match="at most 10 bytes"):
        fetch.install_from_tarball(big, "caveat", dest)
    assert not list(dest.iterdir())


def test_the_command_installs_each_package_and_reports_the_ones_it_could_not(tmp_path,
                                                                            monkeypatch, capsys):
    from digitlab.cli import main

    def pack(package, folder):
        if package == "kalam":
            raise ValueError("npm pack @fontsource/kalam failed: 404")
        return _tarball(folder / f"{package}.tgz",
                        {f"package/files/{package}-latin-400-normal.woff": package.encode()})

    monkeypatch.setattr(fetch, "npm_pack", pack)
    monkeypatch.setattr(fetch.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(gate_fonts, "FONTSOURCE_HANDS", ("caveat", "kalam", "indie-flower"))
    monkeypatch.setattr(gate_fonts, "FONTSOURCE_EXTRA_HANDS", ("mynerve",))
    assert main(["fetch-hand-fonts", "--dest", str(tmp_path)]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["caveat.woff", "indieflower.woff",
                                                          "mynerve.woff"]
    out = capsys.readouterr()
    assert "3 of 4 fonts" in out.out and "kalam" in out.err and "404" in out.err


def test_without_npm_the_command_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    from digitlab.cli import main

    monkeypatch.setattr(fetch.shutil, "which", lambda name: None)
    assert main(["fetch-hand-fonts", "--dest", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "npm was not found" in err and "Traceback" not in err


def test_fontsource_hands_split_one_in_three_held_out_and_join_no_other_group():
    groups = gate_fonts.FONTSOURCE_GROUPS
    held = {f for k, v in groups.items() if k.endswith("-2") for f in v}
    train = {f for k, v in groups.items() if not k.endswith("-2") for f in v}
    every = [gate_fonts.fontsource_family(n) for n in gate_fonts.FONTSOURCE_HANDS]
    assert len(set(every)) == len(every) == len(held) + len(train)
    assert held == set(every[2::3]) and not held & train
    others = {f for v in gate_fonts.HAND_FONTS.values() for f in v}
    assert not others & (held | train)
    # With them, they come after the other groups: every other source draws as before.
    assert list(gate_fonts.hand_groups(True)) == [*gate_fonts.HAND_FONTS, *groups]
    assert gate_fonts.hand_groups(False) == gate_fonts.HAND_FONTS


def test_installed_fontsource_hands_join_the_gate_data_only_when_asked(monkeypatch):
    from digitlab.engine import gate_data

    fake = {"caveat": [], "handlee": [], "DejaVuSans": []}  # a training hand, a held-out one
    monkeypatch.setattr(gate_data, "find_fonts", lambda: fake)
    monkeypatch.setattr(gate_fonts, "find_fonts", lambda: fake)
    for module in (gate_data, gate_fonts):
        monkeypatch.setattr(module, "glyph_sampler", lambda fams, *a: lambda rng: fams)
    for train, group in ((True, "hand:fontsource3"), (False, "hand:fontsource7-2")):
        plain = gate_data.negative_families(train=train)
        more = gate_data.negative_families(train=train, more_hands=True)
        # Never a system font's negatives, whichever way.
        assert not {"font:caveat", "font:handlee"} & (set(plain) | set(more))
        assert set(more) - set(plain) == {group}
        assert group in gate_data.font_digit_samplers(train, more_hands=True)
        assert group not in gate_data.font_digit_samplers(train)



def test_extra_hands_only_ever_give_the_models_training_digits(monkeypatch):
    from digitlab.engine import gate_data

    extra = {f for v in gate_fonts.EXTRA_HAND_GROUPS.values() for f in v}
    every = [gate_fonts.fontsource_family(n) for n in gate_fonts.FONTSOURCE_EXTRA_HANDS]
    assert len(set(every)) == len(every) == len(extra)
    others = {f for groups in (gate_fonts.HAND_FONTS, gate_fonts.FONTSOURCE_GROUPS)
              for v in groups.values() for f in v}
    assert not extra & others
    fake = {"mynerve": [], "caveat": [], "DejaVuSans": []}  # an extra hand, a training one
    monkeypatch.setattr(gate_data, "find_fonts", lambda: fake)
    monkeypatch.setattr(gate_fonts, "find_fonts", lambda: fake)
    for module in (gate_data, gate_fonts):
        monkeypatch.setattr(module, "glyph_sampler", lambda fams, *a: lambda rng: fams)
    group = next(g for g, v in gate_fonts.EXTRA_HAND_GROUPS.items() if "mynerve" in v)
    for train in (True, False):
        negatives = gate_data.negative_families(train=train, more_hands=True)
        assert "font:mynerve" not in negatives and group not in negatives
        assert group not in gate_data.font_digit_samplers(train, more_hands=True)
    with_extra = gate_fonts.font_digit_samplers(True, more_hands=True, extra_hands=True)
    assert list(with_extra)[-1] == group  # after every other group: they draw as before
    assert group not in gate_fonts.font_digit_samplers(False, more_hands=True, extra_hands=True)

@pytest.mark.skipif(not DEJAVU.exists(), reason="needs DejaVu Sans")
def test_find_fonts_reads_woff_files_by_their_name(tmp_path, monkeypatch):
    # A TrueType font in a .woff name stands in for one: FreeType reads both by content.
    (tmp_path / "shadowsintolight.woff").write_bytes(DEJAVU.read_bytes())
    (tmp_path / "shadowsintolight.LICENSE").write_text("OFL")
    monkeypatch.setattr(gate_fonts, "_FONT_DIRS", (tmp_path,))
    gate_fonts.find_fonts.cache_clear()
    try:
        fonts = gate_fonts.find_fonts()
        assert fonts == {"shadowsintolight": [tmp_path / "shadowsintolight.woff"]}
    finally:
        gate_fonts.find_fonts.cache_clear()
