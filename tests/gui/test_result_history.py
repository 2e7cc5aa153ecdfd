"""ResultHistory: results kept by their marks and settings (threshold aside), within a budget."""

from dataclasses import replace

import numpy as np

from segmix.gui.result_history import ResultHistory, marks_key
from segmix.gui.worker import SegmentationOutcome
from segmix.segment import SegmentationSettings


def outcome(labels, settings, generation=1):
    shape = labels.shape
    return SegmentationOutcome(generation, np.zeros(shape, np.float32), np.zeros(shape, bool), None,
                               labels.copy(), settings, 0.1, True, rgba=np.zeros(shape + (4,), np.uint8),
                               overlay_mode="overlay")


def test_keys_follow_marks_and_settings_but_not_the_threshold():
    labels = np.zeros((8, 10), np.uint8)
    labels[2, 3] = 1
    settings = SegmentationSettings()
    key = marks_key(labels, settings)
    assert marks_key(labels.copy(), replace(settings, threshold=0.7)) == key
    assert marks_key(labels, replace(settings, n_components=3)) != key
    other = labels.copy()
    other[2, 4] = 2
    assert marks_key(other, settings) != key
    assert marks_key(labels.reshape(10, 8), settings) != key  # same bytes, another photo shape


def test_kept_results_come_back_without_their_overlay_and_the_oldest_go_first():
    settings = SegmentationSettings()
    one_size = 8 * 10 * (4 + 1 + 1)  # posterior, mask and marks of an 8 x 10 photo
    history = ResultHistory(budget_bytes=2 * one_size)
    marks = []
    for i in range(3):
        labels = np.zeros((8, 10), np.uint8)
        labels[i, i] = 1
        marks.append(labels)
        history.put(marks_key(labels, settings), outcome(labels, settings, i))
    assert len(history) == 2
    assert history.get(marks_key(marks[0], settings)) is None
    kept = history.get(marks_key(marks[1], settings))
    assert kept.generation == 1 and kept.rgba is None and kept.overlay_mode is None
    # marks[1] was just used: a new result drops marks[2] instead.
    labels = np.zeros((8, 10), np.uint8)
    history.put(marks_key(labels, settings), outcome(labels, settings, 3))
    assert history.get(marks_key(marks[2], settings)) is None
    assert history.get(marks_key(marks[1], settings)) is not None


def test_the_newest_result_is_kept_even_over_the_budget():
    settings = SegmentationSettings()
    history = ResultHistory(budget_bytes=1)
    labels = np.ones((8, 10), np.uint8)
    history.put(marks_key(labels, settings), outcome(labels, settings))
    assert len(history) == 1 and history.get(marks_key(labels, settings)) is not None


def test_a_result_kept_under_two_keys_is_counted_once():
    """Graph-cut results are kept by their threshold too: the same arrays, one budget share."""
    settings = SegmentationSettings()
    one_size = 8 * 10 * (4 + 1 + 1)
    history = ResultHistory(budget_bytes=2 * one_size)
    keys = []
    for i in range(2):
        labels = np.zeros((8, 10), np.uint8)
        labels[i, i] = 1
        key = marks_key(labels, settings)
        history.put(key, outcome(labels, settings, i), (*key, "at 0.5"))
        keys += [key, (*key, "at 0.5")]
    assert history.get(keys[0]) is history.get(keys[1])
    assert all(history.get(k) is not None for k in keys)  # two results, four keys, within budget
    labels = np.zeros((8, 10), np.uint8)
    labels[5, 5] = 1
    history.put(marks_key(labels, settings), outcome(labels, settings, 2))
    # The least recently used result goes with both its keys; re-keying one frees nothing twice.
    assert history.get(keys[0]) is None and history.get(keys[1]) is None and history.get(keys[2]) is not None
    # A new result under one of result 1's keys: result 1 keeps its other key until the budget
    # needs its share, and is then freed once (no negative count, no share counted twice).
    history.put(keys[2], outcome(labels, settings, 3))
    assert history.get(keys[3]) is None and history.get(keys[2]).generation == 3 and len(history) == 2
    assert history._bytes == 2 * one_size
