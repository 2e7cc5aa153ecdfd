"""Session 53, a new user's trial reading the docs word for word (helper misc53): Video mode's
dock button said "Open Folder…" where both menus say "Open Frame Folder…", and README said
"Ctrl+O (or Video > Open Video…)" where the menu shows Ctrl+O on File's entry only."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _plain(text: str) -> str:
    return text.replace("&", "").replace("...", "…")


def test_video_dock_buttons_are_named_as_their_menu_entries(make_window):
    window = make_window()
    window.set_mode("video")
    video = window.modes["video"]
    assert _plain(video.panel.folder_button.text()) == _plain(video.folder_action.text()) == "Open Frame Folder…"
    assert _plain(video.panel.open_button.text()) == _plain(video.open_video_action.text().split("\t")[0]) == "Open Video…"
    # the longer name keeps the button inside the dock, the dock as wide as in Segment mode
    panel = video.panel
    assert panel.folder_button.geometry().right() <= panel.width()
    assert panel.folder_button.width() >= panel.folder_button.sizeHint().width()


def test_readme_names_the_menu_entry_that_shows_ctrl_o_in_video_mode(make_window):
    window = make_window()
    window.set_mode("video")
    assert window.open_action.shortcut().toString() == "Ctrl+O"
    assert window.modes["video"].open_video_action.shortcut().isEmpty()  # Ctrl+O is File > Open's alone
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Ctrl+O (File > {_plain(window.open_action.text())}" in readme
    assert "Ctrl+O (or Video > Open Video…)" not in readme
    assert "Open Folder…" not in readme.replace("Open Frame Folder…", "")
