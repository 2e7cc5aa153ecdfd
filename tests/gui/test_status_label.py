"""Status labels never cut their text silently (a trial: the Training dock's status, a re-fit
note with a first start's compiling note and a tip, was cut off mid-line by the plot)."""

from PySide6.QtWidgets import QApplication, QLabel

from segmix.gui.panels import ELLIPSIS, set_status_text, status_label

LONG = ("Re-fitted your 2 steps with the panel's settings, in the order you made them.\n"
        "Trained and applied in 14.2 s (includes 12.9 s compiling, once per installation)\n"
        "No pixel came out foreground (see the banner).\n"
        "63% unlike your background marks: tick More > Keep unmarked colours")


def _shown(label) -> str:
    return QLabel.text(label)  # what is drawn, not the whole text StatusLabel.text() returns


def _label(qtbot, lines):
    label = status_label("", lines=lines)
    qtbot.addWidget(label)
    label.resize(230, label.height())
    label.show()
    return label


def test_a_text_too_long_for_its_lines_ends_in_an_ellipsis_with_the_whole_text_in_the_tooltip(qtbot):
    label = _label(qtbot, 2)
    label.setToolTip("a hint")
    label.setText(LONG)
    shown = _shown(label)
    assert shown.endswith(ELLIPSIS) and LONG.startswith(shown[:-2])
    assert label.is_elided() and label.text() == LONG
    assert label.toolTip() == LONG + "\n\na hint"
    # What is drawn fits the label's height; one word more would not.
    metrics = label.fontMetrics()
    assert metrics.boundingRect(0, 0, label.contentsRect().width(), 10_000, 0x1000, shown).height() \
        <= label.contentsRect().height()


def test_a_text_that_fits_is_shown_whole_with_its_own_tooltip(qtbot):
    label = _label(qtbot, 2)
    label.setToolTip("a hint")
    label.setText("Trained and applied in 120 ms")
    assert _shown(label) == label.text() == "Trained and applied in 120 ms"
    assert not label.is_elided() and label.toolTip() == "a hint"


def test_a_wider_label_shows_more_of_the_text(qtbot):
    label = _label(qtbot, 2)
    label.setText(LONG)
    narrow = _shown(label)
    label.resize(2000, label.height())
    QApplication.processEvents()
    assert len(_shown(label)) > len(narrow)


def test_set_status_text_grows_the_label_before_it_cuts(qtbot):
    label = _label(qtbot, 3)
    set_status_text(label, LONG, 3, 12)
    assert not label.is_elided() and _shown(label) == LONG
    set_status_text(label, LONG, 3, 4)
    assert label.is_elided() and label.text() == LONG
    set_status_text(label, "Waiting for scribbles", 3, 12)
    assert _shown(label) == "Waiting for scribbles" and label.toolTip() == ""

