"""ScribbleCanvas: the zoomable, pannable photo view the user paints scribbles on.

Layers, bottom to top: the photo (a QPixmap, converted once), the segmentation overlay,
the scribbles, the brush outline.  The scribble layer is an RGBA numpy array shared with a
QImage (see :class:`segmix.gui.qimage.ArrayImage`); a stroke segment recolours only its
dirty rectangle of that array and asks Qt to repaint only that rectangle, which keeps
painting smooth on a 12-megapixel photo.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from segmix.gui.overlay import halo_wanted, scribbles_to_rgba
from segmix.gui.qimage import ArrayImage, rgb_to_qimage
from segmix.gui.scribbles import BACKGROUND, ERASE, FOREGROUND, LabelLayer, Rect, StrokeDiff
from segmix.gui.signals import emit

TOOLS = ("foreground", "background", "eraser", "rectangle", "click")
TOOL_LABELS = {"foreground": FOREGROUND, "background": BACKGROUND, "eraser": ERASE}


def _zoom_step(zoom: float, factor: float) -> float:
    """The zoom one Zoom In (``factor`` > 1) or Zoom Out step from ``zoom``: the next of the
    levels 1, 1.25, 1.5 and 1.75 times a power of two (... 50, 62.5, 75, 87.5, 100, 125, 150,
    175, 200, 250, 300 ... %) at least a tenth beyond ``zoom``. Steps of 1.25 from 100 % went 156,
    195, 244 %: 200 %, where the photo is drawn pixel for pixel (nearest neighbour), was never
    offered."""
    octave = math.floor(math.log2(zoom))
    levels = [2.0 ** k * m for k in range(octave - 2, octave + 3) for m in (1.0, 1.25, 1.5, 1.75)]
    if factor > 1:
        return min(level for level in levels if level >= zoom * 1.1)
    return max(level for level in levels if level <= zoom / 1.1)


def pixel_box(rect: QRectF) -> tuple[int, int, int, int]:
    """The pixel edges (top, left, bottom, right) of a box dragged over ``rect`` (image units).

    Each side goes to the nearest pixel edge; a pointer exactly between two edges (the middle
    of a pixel, where every pointer lies at 100 %) takes the pixel into the box.  Python's
    round() took halves to the even edge: at 100 % a box could only start and end on even
    pixels, and the pressed pixel was outside it half the time.
    """
    # The tolerance absorbs the inverted view transform's rounding of the pixel's middle.
    tolerance = 1e-6
    return (math.ceil(rect.top() - 0.5 - tolerance), math.ceil(rect.left() - 0.5 - tolerance),
            math.floor(rect.bottom() + 0.5 + tolerance), math.floor(rect.right() + 0.5 + tolerance))
MIN_BRUSH, MAX_BRUSH = 1, 400
#: The frame round the photo while it has the keyboard focus, in screen pixels.
FOCUS_FRAME_WIDTH = 2
DEFAULT_BRUSH = 20  # px on a photo up to DAVIS size; the window scales it on larger ones
MIN_ZOOM, MAX_ZOOM = 1 / 64, 64.0


def _qrect(rect: Rect) -> QRectF:
    top, left, bottom, right = rect
    return QRectF(left, top, right - left, bottom - top)


def _make_brush_outline() -> QGraphicsEllipseItem:
    item = QGraphicsEllipseItem()
    pen = QPen(QColor(255, 255, 255), 1.5)
    pen.setCosmetic(True)  # same on-screen width at every zoom
    item.setPen(pen)
    item.setZValue(10)
    item.setVisible(False)
    return item


def _make_rubber_band() -> QGraphicsRectItem:
    item = QGraphicsRectItem()
    pen = QPen(QColor(40, 120, 255), 2, Qt.PenStyle.DashLine)
    pen.setCosmetic(True)
    item.setPen(pen)
    item.setZValue(10)
    item.setVisible(False)
    return item


class ArrayImageItem(QGraphicsItem):
    """Draws an :class:`ArrayImage`, only the exposed part, at one scene unit per pixel."""

    def __init__(self, image: ArrayImage, parent: QGraphicsItem | None = None):
        super().__init__(parent)
        self.image = image  # keeps the array (and so the QImage's memory) alive
        self.smooth = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def set_image(self, image: ArrayImage) -> None:
        self.prepareGeometryChange()
        self.image = image
        self.update()

    def boundingRect(self) -> QRectF:
        height, width = self.image.shape
        return QRectF(0, 0, width, height)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        source = option.exposedRect.toAlignedRect().intersected(self.boundingRect().toAlignedRect())
        if source.isEmpty():
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.smooth)
        painter.drawImage(QRectF(source), self.image.qimage, QRectF(source))


class ScribbleCanvas(QGraphicsView):
    """Photo view with foreground / background brushes, an eraser and a rectangle start.

    Signals
    -------
    stroke_started()
        A stroke began (the window cancels a running fit).
    stroke_finished((StrokeDiff or None, str))
        A stroke ended: its diff (None if no label changed) and a name for the undo menu.
    cursor_moved(int, int)
        Image pixel under the mouse (x, y); (-1, -1) outside the photo.
    zoom_changed(float)
        New scale (1.0 = 100 %).
    brush_size_changed(int)
        Brush diameter in image pixels.
    file_dropped(str)
        Open this local file (a caller's request; the canvas itself emits files_dropped).
    files_dropped(list)
        Local files were dropped on the canvas (their paths, in the order dragged).
    notice(str)
        Why a gesture marked nothing (a box covering the whole photo), for the status bar.
    marked_nothing(str)
        A click, stroke or box on the photo changed no pixel (all already of its class, or
        nothing to erase): why, for the status bar, which adds what Ctrl+Z undoes now (no undo
        step was made for it).
    box_dragged(int, int, int, int)
        The box being dragged with the Rectangle tool, clipped to the photo: left, top, right,
        bottom in pixels (right and bottom just past the box, as ``segment --box`` takes them).
    """

    stroke_started = Signal()
    stroke_finished = Signal(object)
    cursor_moved = Signal(int, int)
    zoom_changed = Signal(float)
    brush_size_changed = Signal(int)
    file_dropped = Signal(str)
    files_dropped = Signal(list)
    notice = Signal(str)
    marked_nothing = Signal(str)
    box_dragged = Signal(int, int, int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setBackgroundBrush(QColor(48, 48, 48))
        self.setMouseTracking(True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # The first Tab stop, which a screen reader named nothing (a trial).
        self.setAccessibleName("Photo")
        # Its description, the keys of the mode in use, is set by the window (Mode.canvas_keys).

        self.layer: LabelLayer | None = None
        # False in a mode without marks (Video): the buttons pan instead of painting into a
        # layer nobody reads (a trial's drags on a video frame left invisible marks).
        self._marking = True
        self.tool = "foreground"
        #: The active mode's two classes (Mode.class_names), set by the window: the box's notices
        #: say them (Skin mode's said "around the object ... becomes background").
        self.class_names: tuple[str, str] = ("foreground", "background")
        self.brush_size = DEFAULT_BRUSH
        self._photo_item: QGraphicsPixmapItem | None = None
        self._overlay_item: ArrayImageItem | None = None
        self._scribble_item: ArrayImageItem | None = None
        self._brush_item = _make_brush_outline()
        self._rect_item = _make_rubber_band()

        self._painting_label: int | None = None
        self._click_label: int | None = None  # the click tool's label while the button is down
        self._last_point: QPointF | None = None
        self._stroke_reached_photo = False  # the brush of the stroke under way touched the photo
        self._rect_start: QPointF | None = None
        self._pan_anchor = None
        self._space_held = False
        self._fit_mode = True
        self._bottom_cover = 0  # pixels of the view's bottom under the status bar's notice (set_bottom_cover)
        self._overlay_opacity = 0.5
        self._overlay_visible = True
        self._wheel_anchor: tuple | None = None  # (viewport point, scene point) of the last wheel zoom

    # -- photo and layers -------------------------------------------------------------
    def set_image(self, rgb: np.ndarray, layer: LabelLayer, photo: QImage | None = None) -> None:
        """Show a new photo with its (empty or loaded) scribble layer.

        Parameters
        ----------
        rgb : (H, W, 3) uint8 array
        layer : LabelLayer of shape (H, W)
        photo : QImage, optional
            ``rgb`` already converted (:func:`segmix.gui.qimage.rgb_to_display_qimage`, made
            off the GUI thread while the photo was decoded); made here otherwise.
        """
        # Scroll bars back (off while empty, :meth:`clear`) before the scene is cleared: turning them
        # on resizes the viewport at once, and resizeEvent's fit read the cleared photo item (a
        # segmentation fault in the full suite, test_video_trial9).
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        scene = self.scene()
        scene.clear()
        height, width = rgb.shape[:2]
        self.layer = layer
        if photo is None or (photo.height(), photo.width()) != (height, width):
            photo = rgb_to_qimage(rgb)
        self._photo_item = QGraphicsPixmapItem(QPixmap.fromImage(photo))
        self._photo_item.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        # The photo never changes: cache it scaled to the screen, so repaints (brush
        # outline, strokes, overlay) blit instead of rescaling the whole photo.
        self._photo_item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        scene.addItem(self._photo_item)
        self._overlay_item = ArrayImageItem(ArrayImage.blank(1, 1))
        self._overlay_item.setVisible(False)
        self._overlay_item.setOpacity(self._overlay_opacity)
        self._overlay_item.setZValue(1)
        scene.addItem(self._overlay_item)
        self._scribble_item = ArrayImageItem(ArrayImage(scribbles_to_rgba(layer.labels, halo=halo_wanted(layer.shape))))
        self._scribble_item.setZValue(2)
        scene.addItem(self._scribble_item)
        # scene.clear() deleted the helper items; make new ones with the same look.
        self._brush_item = _make_brush_outline()
        self._rect_item = _make_rubber_band()
        scene.addItem(self._brush_item)
        scene.addItem(self._rect_item)
        scene.setSceneRect(QRectF(0, 0, width, height))
        self.fit_to_window()

    def replace_photo(self, rgb: np.ndarray, photo: QImage | None = None) -> bool:
        """Swap the photo's pixels for another image of the same size, keeping zoom, pan,
        overlay and scribbles (the next frame of a video, a quantised photo). False, doing
        nothing, when no photo is shown or the size differs (then :meth:`set_image`).

        Parameters
        ----------
        rgb : (H, W, 3) uint8 array
        photo : QImage, optional
            ``rgb`` already converted (:func:`segmix.gui.qimage.rgb_to_qimage`, made on the
            compute thread); made here otherwise.
        """
        if self._photo_item is None or self.layer is None or rgb.shape[:2] != self.layer.shape:
            return False
        if photo is None or (photo.height(), photo.width()) != tuple(rgb.shape[:2]):
            photo = rgb_to_qimage(rgb)
        self._photo_item.setPixmap(QPixmap.fromImage(photo))
        return True

    def set_layer(self, layer: LabelLayer) -> None:
        """Show another scribble layer of the same photo (each mode keeps its own)."""
        if self._scribble_item is None or layer.shape != self.layer.shape:
            raise ValueError("set_layer needs a layer of the photo shown (call set_image first)")
        self.layer = layer
        self._scribble_item.set_image(ArrayImage(scribbles_to_rgba(layer.labels, halo=halo_wanted(layer.shape))))

    def clear(self) -> None:
        """Show no image (a mode switch to a mode with nothing open); strokes are ignored.

        The view's zoom and scene rectangle stay as they were, so the next image's fit does
        not start from a jump.
        """
        rect = self.sceneRect()
        self.scene().clear()
        self.layer = None
        self._photo_item = self._overlay_item = self._scribble_item = None
        self._painting_label = self._click_label = None
        self._brush_item = _make_brush_outline()
        self._rect_item = _make_rubber_band()
        self.scene().addItem(self._brush_item)
        self.scene().addItem(self._rect_item)
        self.scene().setSceneRect(rect)
        # The kept rectangle at the kept zoom left the last photo's scroll bars beside nothing
        # (Video mode with nothing open, a trial): none until an image comes.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def view_state(self) -> tuple | None:
        """(fitted, transform, scene point at the view's centre) for :meth:`restore_view`; None without an image."""
        if self._photo_item is None:
            return None
        return self._fit_mode, self.transform(), self.mapToScene(self.viewport().rect().center())

    def restore_view(self, state: tuple | None) -> None:
        """Zoom and scroll as when :meth:`view_state` gave ``state`` (same image); None: fit."""
        if state is None or self._photo_item is None or state[0]:
            self.fit_to_window()
            return
        _fitted, transform, centre = state
        self._fit_mode = False
        self.setTransform(transform)
        self.centerOn(centre)
        self._zoom_done()

    @property
    def has_image(self) -> bool:
        return self.layer is not None

    def refresh_scribbles(self, rect: Rect | None = None) -> None:
        """Recolour the scribble layer in ``rect`` (all of it when None) and repaint that part."""
        if self.layer is None or self._scribble_item is None:
            return
        if rect is None:
            rect = (0, 0, *self.layer.shape)
        # The halo around the marks (overlay.HALO_RGBA) changes one pixel beyond the changed
        # labels, and telling it needs the neighbours one pixel further.
        h, w = self.layer.shape
        top, left, bottom, right = rect
        top, left, bottom, right = max(0, top - 1), max(0, left - 1), min(h, bottom + 1), min(w, right + 1)
        ctop, cleft = max(0, top - 1), max(0, left - 1)
        coloured = scribbles_to_rgba(self.layer.labels[ctop:min(h, bottom + 1), cleft:min(w, right + 1)],
                                     halo=halo_wanted(self.layer.shape))
        self._scribble_item.image.array[top:bottom, left:right] = coloured[top - ctop:bottom - ctop,
                                                                          left - cleft:right - cleft]
        self._scribble_item.update(_qrect((top, left, bottom, right)))

    def set_overlay(self, rgba: np.ndarray | None) -> None:
        """Show a rendered segmentation (see :func:`segmix.gui.overlay.render_overlay`).

        Parameters
        ----------
        rgba : (H, W, 4) uint8 array or None to hide the overlay.  Alpha is 0 or 255 and
            colour is 0 where alpha is 0 (as render_overlay draws it), so the array is also
            valid premultiplied RGBA, which Qt paints without a full-frame conversion.
        """
        if self._overlay_item is None:
            return
        if rgba is None:
            self._overlay_item.setVisible(False)
            return
        self._overlay_item.set_image(ArrayImage(rgba, premultiplied=True))
        self._overlay_item.setVisible(self._overlay_visible)

    @property
    def overlay_image(self) -> np.ndarray | None:
        """The RGBA overlay currently shown, or None."""
        if self._overlay_item is None or not self._overlay_item.isVisible():
            return None
        return self._overlay_item.image.array

    def set_overlay_opacity(self, opacity: float) -> None:
        self._overlay_opacity = float(opacity)
        if self._overlay_item is not None:
            self._overlay_item.setOpacity(self._overlay_opacity)

    @property
    def overlay_opacity(self) -> float:
        return self._overlay_opacity

    def set_overlay_visible(self, visible: bool) -> None:
        self._overlay_visible = bool(visible)
        if self._overlay_item is not None and self._overlay_item.image.shape != (1, 1):
            self._overlay_item.setVisible(self._overlay_visible)

    # -- tools ------------------------------------------------------------------------
    @property
    def stroking(self) -> bool:
        """Whether a stroke, click or box is in progress (its mouse button is still down)."""
        return self._rect_start is not None or self._click_label is not None or self._painting_label is not None

    @property
    def marking(self) -> bool:
        """Whether the buttons paint marks (False in a mode without marks: Video)."""
        return self._marking

    @marking.setter
    def marking(self, value: bool) -> None:
        self._marking = bool(value)
        # The brush's outline goes with it: a trial's switch from Segment to Video mode with
        # the pointer over the photo left the brush circle standing on the video frames,
        # where no drag paints.
        self._update_brush_outline(None)

    def set_tool(self, tool: str) -> None:
        if tool not in TOOLS:
            raise ValueError(f"unknown tool {tool!r}; expected one of {TOOLS}")
        self.tool = tool
        self._update_brush_outline(None)

    def set_brush_size(self, size: int) -> None:
        size = int(min(max(size, MIN_BRUSH), MAX_BRUSH))
        if size != self.brush_size:
            self.brush_size = size
            emit(self.brush_size_changed, size)
        self._update_brush_outline(None)

    def grow_brush(self, steps: int) -> None:
        """[ and ]: change the brush by about 15 % per step, at least one pixel."""
        factor = 1.15**steps
        new = round(self.brush_size * factor)
        if new == self.brush_size:
            new += 1 if steps > 0 else -1
        self.set_brush_size(new)

    # -- zoom -------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, scale: float) -> None:
        # Within MIN_ZOOM .. MAX_ZOOM, or the zoom shown where the fit went beyond them: an
        # 8 x 8 photo fits at 7500 %, and Zoom In (+, the wheel) then "zoomed" to 6400 %, out.
        scale = min(max(scale, min(MIN_ZOOM, self.zoom)), max(MAX_ZOOM, self.zoom))
        factor = scale / self.zoom
        self._fit_mode = False
        self.scale(factor, factor)
        self._zoom_done()

    def zoom_in(self) -> None:
        self.set_zoom(_zoom_step(self.zoom, 1.25))

    def zoom_out(self) -> None:
        self.set_zoom(_zoom_step(self.zoom, 1 / 1.25))

    def zoom_100(self) -> None:
        self.set_zoom(1.0)

    def set_bottom_cover(self, pixels: int) -> None:
        """Keep the photo out of the bottom ``pixels`` of the view, which the status bar's
        notice area covers (:attr:`segmix.gui.status_bar.MessageStatusBar.notice_cover`): the
        viewport ends above them, and a fitted photo is fitted again into what is left, the
        zoom read-out with it. The photo's fit stayed that of the whole view, and a 600-px
        frame's bottom rows sat under a two-line "Skipped 2 frames so far ..." (a trial). A
        stroke under way is not moved: the fit follows at the next change."""
        pixels = max(0, int(pixels))
        if pixels == self._bottom_cover:
            return
        self._bottom_cover = pixels
        self.setViewportMargins(0, 0, 0, pixels)
        if self._fit_mode and not self.stroking:
            self.fit_to_window()

    def fit_to_window(self) -> None:
        if self._photo_item is None:
            return
        self._fit_mode = True
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self._zoom_done()

    def _zoom_done(self) -> None:
        # Below 200 %: smooth, so the photo does not shimmer.  Zoomed in further: nearest neighbour,
        # so single pixels stay crisp squares (also on high-DPI screens).
        smooth = self.zoom < 2.0
        if self._photo_item is not None:
            self._photo_item.setTransformationMode(
                Qt.TransformationMode.SmoothTransformation if smooth else Qt.TransformationMode.FastTransformation
            )
        # The overlay and scribble layers are flat colours: nearest neighbour looks the
        # same and draws ~4x faster than smooth scaling on a 2-megapixel layer.
        self.viewport().update()
        emit(self.zoom_changed, self.zoom)
        self._pointer_over_moved()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        super().scrollContentsBy(dx, dy)
        if self.hasFocus():
            self.viewport().update()  # the focus frame stays at the edge, not scrolled with the photo
        self._pointer_over_moved()

    def _pointer_over_moved(self) -> None:
        """The photo moved under a still pointer (a zoom by key, Ctrl+1 or F, a scroll, a pan
        held at the photo's edge): report the pixel now under it and move the brush outline
        there. Only a mouse move did, so a trial's read-out kept "x 387, y 245 ... P(foreground)
        0.95" for a pixel far from the pointer after Ctrl+1, and the brush outline stood 20 px
        from it after "-"."""
        if self._photo_item is None or not self.viewport().underMouse():
            return  # the pointer is elsewhere (or another window is over it): nothing to follow
        position = self.viewport().mapFromGlobal(QCursor.pos())
        if not self.viewport().rect().contains(position):
            return  # the pointer is elsewhere: leaveEvent has cleared the read-out
        point = self.mapToScene(position)
        inside = self._inside(point)
        emit(self.cursor_moved, int(point.x()) if inside else -1, int(point.y()) if inside else -1)
        self._update_brush_outline(point)  # hidden off the photo, with Space held, for a box

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self._fit_mode:
            self.fit_to_window()

    def wheelEvent(self, event) -> None:  # noqa: N802
        delta = event.angleDelta().y()
        if delta == 0 or self._photo_item is None:
            return
        self.zoom_at(self.zoom * 1.25 ** (delta / 120.0), event.position())
        event.accept()

    def zoom_at(self, scale: float, position: QPointF) -> None:
        """Zoom to ``scale`` keeping the image point under viewport ``position`` where it is.

        Done by hand rather than left to AnchorUnderMouse: the view's anchor uses the last
        mouse-move position it saw, which a wheel event does not update.
        """
        point = position.toPoint()
        if self._wheel_anchor is not None and self._wheel_anchor[0] == point:
            anchor = self._wheel_anchor[1]  # the same spot as the last notch: no rounding drift
        else:
            anchor = QPointF(self.mapToScene(point))
            self._wheel_anchor = (point, anchor)
        previous = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        try:
            self.set_zoom(scale)
        finally:
            self.setTransformationAnchor(previous)
        # Scroll so the anchor lands under the cursor again (exact to the scroll bars' pixel).
        moved = self.mapFromScene(anchor) - point
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + moved.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + moved.y())

    # -- mouse ------------------------------------------------------------------------
    def _image_point(self, event) -> QPointF:
        """The image point under the pointer, to the fraction of a pixel the event gives.

        QGraphicsView.mapToScene takes whole viewport pixels, which are device-independent:
        under a scale factor of 2 (QT_SCALE_FACTOR, a high-DPI screen) one is 2 x 2 screen
        pixels, so at the zoom that fits a photo (58 %) a click could only reach every second
        image pixel or so, and a trial's clicks landed 1 px beside the pixel clicked.  The
        event's own position keeps the screen pixel.
        """
        return self._scene_point(event.position())

    def _scene_point(self, position: QPointF) -> QPointF:
        """The image point shown at viewport ``position``: the middle of the screen pixel there."""
        half = 0.5 / self.devicePixelRatioF()
        return self.viewportTransform().inverted()[0].map(QPointF(position) + QPointF(half, half))

    def _inside(self, point: QPointF) -> bool:
        if self.layer is None:
            return False
        height, width = self.layer.shape
        return 0 <= point.x() < width and 0 <= point.y() < height

    def mousePressEvent(self, event) -> None:  # noqa: N802
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton
                                                     and (self._space_held or not self.marking)):
            self._pan_anchor = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if self.layer is None or not self.marking or button not in (Qt.MouseButton.LeftButton,
                                                                    Qt.MouseButton.RightButton):
            super().mousePressEvent(event)
            return
        point = self._image_point(event)
        if self.tool == "rectangle" and button == Qt.MouseButton.LeftButton:
            emit(self.stroke_started)
            self._rect_start = point
            self._rect_item.setRect(QRectF(point, point))
            self._rect_item.setVisible(True)
            event.accept()
            return
        # The right button paints background with any brush: a quick way to fix mistakes.
        label = BACKGROUND if button == Qt.MouseButton.RightButton else TOOL_LABELS.get(self.tool, FOREGROUND)
        if self.tool == "click":
            # One disc per click (segmix.clicks.click_radius: the click protocol's 5 px,
            # scaled up with a large photo), one undo step; moving the mouse before
            # releasing paints nothing more.
            emit(self.stroke_started)
            self._stroke_reached_photo = self._inside(point)
            if self._stroke_reached_photo:
                dirty = self.layer.paint_click(int(point.y()), int(point.x()), label)
                if dirty is not None:
                    self.refresh_scribbles(dirty)
            else:
                # On the grey around the photo a click marks nothing: said, as a box too small
                # is (a trial's click beside the photo's edge did nothing without a word).
                emit(self.notice, "The click is outside the photo: click on the photo itself.")
            self._click_label = label
            event.accept()
            return
        emit(self.stroke_started)
        self._painting_label = label
        self._last_point = point
        self._stroke_reached_photo = False
        self._paint(point, point)
        event.accept()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        self._wheel_anchor = None
        if self._pan_anchor is not None:
            delta = event.position() - self._pan_anchor
            self._pan_anchor = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(delta.y()))
            event.accept()
            return
        point = self._image_point(event)
        if self._inside(point):
            emit(self.cursor_moved, int(point.x()), int(point.y()))
        else:
            emit(self.cursor_moved, -1, -1)
        self._update_brush_outline(point)
        if self._rect_start is not None:
            top, left, bottom, right = pixel_box(QRectF(self._rect_start, point).normalized())
            # Drawn on the pixel edges the release takes, so the rectangle shows which pixels
            # are inside.
            self._rect_item.setRect(QRectF(left, top, right - left, bottom - top))
            if self.layer is not None:
                # Where the box lies, in pixels, as a selection tool shows it: the release
                # takes the same edges (a trial could not read the box it drew to give it again).
                height, width = self.layer.labels.shape
                emit(self.box_dragged, max(0, min(width, left)), max(0, min(height, top)),
                     max(0, min(width, right)), max(0, min(height, bottom)))
        elif self._painting_label is not None and self._last_point is not None:
            self._paint(self._last_point, point)
            self._last_point = point
        # The view records the cursor here: AnchorUnderMouse (keyboard zoom with the
        # cursor over the photo) needs it.  No scene item takes mouse events.
        super().mouseMoveEvent(event)
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._pan_anchor is not None:
            self._pan_anchor = None
            self.viewport().setCursor(
                Qt.CursorShape.OpenHandCursor if self._space_held else Qt.CursorShape.CrossCursor
            )
            event.accept()
            return
        if self._rect_start is not None and self.layer is not None:
            rect = QRectF(self._rect_start, self._image_point(event)).normalized()
            self._rect_start = None
            self._rect_item.setVisible(False)
            height, width = self.layer.labels.shape
            box = pixel_box(rect)
            if box[2] - box[0] < 2 or box[3] - box[1] < 2:
                # A click, or a drag under 2 px: nothing was said, and nothing happened. Judged
                # on the pixels the drag showed (a box shown 2 px wide was refused as too small).
                inside, outside, _paint = self._box_words()
                emit(self.notice, f"The box is too small: drag a box around {inside}; everything outside it "
                                  f"becomes {outside}.")
            elif box[0] <= 0 and box[1] <= 0 and box[2] >= height and box[3] >= width:
                # A drag across the whole photo (an object filling it) leaves no pixel outside:
                # it marked nothing, without a word.
                _inside, outside, paint = self._box_words()
                emit(self.notice, f"The box covers the whole photo, so nothing outside it becomes {outside}: "
                                  f"drag it inside the photo's edges, or paint {paint} (2).")
            else:
                moved_edge = None
                # Imported here: opening the window must not import the engine (SciPy's ndimage).
                from segmix.point_marks import framed_box, framed_box_words

                if self.class_names == ("foreground", "background"):
                    # Its outside alone would be a band along one edge, read as a background
                    # stroke (segment.is_framed), not a box: moved a pixel in from one edge, as
                    # `segment --box` does (point_marks.framed_box; it was refused). Segment
                    # mode's rule: Skin mode's marks are training pixels, a band of non-skin.
                    clipped = (max(box[0], 0), max(box[1], 0), min(box[2], height), min(box[3], width))
                    moved, moved_edge = framed_box(clipped, (height, width))
                    if moved_edge is not None:
                        box = moved
                # A box drawn after an earlier one adds its outside to the earlier one's (the
                # object is looked for inside both): a trial redrew a box too tight a little
                # larger, as GrabCut tools replace it, and nothing changed, without a word.
                note = self._box_over_box_words(box)
                painted_over = self._marks_outside_box(box)
                if painted_over:
                    # The command line warns of foreground marks a box paints over; the window
                    # wiped a click outside the box without a word (a trial).
                    positive, _negative = self.class_names
                    _inside, outside, _paint = self._box_words()
                    lost = (f"The box made {painted_over:,} pixel{'s' if painted_over != 1 else ''} of {positive} "
                            f"marks outside it {outside}: to keep them, undo (Ctrl+Z) and draw the box around them.")
                    note = lost if note is None else f"{lost} {note}"
                if note is None or not note.startswith("This box marks nothing new"):
                    # Not recoloured here: the undo step the window pushes for it recolours its
                    # rectangle, here the whole photo (twice was 0.1-0.9 s at 12 megapixels).
                    self.layer.fill_outside(*box, BACKGROUND)
                if moved_edge is not None:
                    moved_words = f"The box {framed_box_words(moved_edge)}."
                    note = moved_words if note is None else f"{note} {moved_words}"
                if note is not None:
                    # One that marks nothing new as a click or stroke that does: the window adds
                    # what Ctrl+Z undoes when that is not the earlier box.
                    nothing_new = note.startswith("This box marks nothing new")
                    emit(self.marked_nothing if nothing_new else self.notice, note)
            self._finish_stroke("Rectangle")
            event.accept()
            return
        if self._click_label is not None or self._painting_label is not None:
            missed = self._painting_label is not None and not self._stroke_reached_photo
            reached = self._stroke_reached_photo
            kind, label = ("click", self._click_label) if self._click_label is not None else ("stroke",
                                                                                              self._painting_label)
            diff = self.finish_stroke()
            if missed:
                # As a click beside the photo is said: a stroke painted on the grey around the
                # photo marked nothing, without a word.
                emit(self.notice, "The stroke is outside the photo: paint on the photo itself.")
            elif reached and diff is None:
                # A click or stroke over pixels already of its class changed nothing and made no
                # undo step, without a word: a trial's next Ctrl+Z then undid the mark before it
                # (a whole loaded box). Said, as a box that marks nothing new is.
                emit(self.marked_nothing, self._nothing_new_words(kind, label))
            event.accept()
            return
        super().mouseReleaseEvent(event)

    @property
    def dragging_box(self) -> bool:
        """Whether a box is being dragged with the Rectangle tool (pressed, not released)."""
        return self._rect_start is not None

    def finish_stroke(self) -> StrokeDiff | None:
        """End the stroke, click or box in progress now, as releasing the button would; the
        button's later moves and release mark nothing. Returns what it changed (None: nothing,
        or nothing was in progress).

        The window calls it before anything that changes the marks or what they belong to
        (undo, redo, Clear, a mode switch, another photo, closing): a trial's Ctrl+Z in the
        middle of a stroke undid the stroke before it, whose redo the rest of the stroke then
        wiped, and the half drawn before the key press became part of no undo step (the layer
        closed it silently); a mode switch carried the stroke on into the next mode's marks. A
        box is dropped (it marks nothing until released).
        """
        if self._rect_start is not None:
            self._rect_start = None
            self._rect_item.setVisible(False)
            return self._finish_stroke("Rectangle")  # marks nothing; the window restarts a fit it stopped
        if self._click_label is not None:
            label, self._click_label = self._click_label, None
            return self._finish_stroke("Foreground click" if label == FOREGROUND else "Background click")
        if self._painting_label is not None:
            label = self._painting_label
            self._painting_label = None
            self._last_point = None
            return self._finish_stroke({FOREGROUND: "Foreground stroke",
                                        BACKGROUND: "Background stroke"}.get(label, "Erase"))
        return None

    def _nothing_new_words(self, kind: str, label: int) -> str:
        """Why a ``kind`` ("click" or "stroke") of ``label`` that reached the photo changed no
        pixel, in the active mode's words (:attr:`class_names`)."""
        if label == ERASE:
            return f"This {kind} erases nothing: nothing is marked there."
        name = self.class_names[0] if label == FOREGROUND else self.class_names[1]
        return f"This {kind} marks nothing new: it is all {name} there already."

    def _box_over_box_words(self, box) -> str | None:
        """What to say of a box (top, left, bottom, right) drawn when everything outside it is
        already marked, or (Segment mode) over an earlier box; None otherwise."""
        # Short, the advice first: the status bar elides a long message (its tooltip has it all).
        if self.layer.outside_is(*box, BACKGROUND):
            return ("This box marks nothing new (boxes add up): to draw a larger box, undo the earlier one (Ctrl+Z), "
                    "then drag again.")
        if self.class_names == ("foreground", "background"):
            from segmix.segment import is_framed

            if is_framed(self.layer.labels):
                return ("Boxes add up: only where this box and the earlier one overlap can be the object. To replace "
                        "the earlier box, undo it (Ctrl+Z) first.")
        return None

    def _marks_outside_box(self, box) -> int:
        """How many pixels of the positive class (the object, skin) are marked outside ``box``
        (top, left, bottom, right): a box marks its whole outside negative over them."""
        labels = self.layer.labels
        height, width = labels.shape
        # Clipped and ordered as LabelLayer.fill_outside does; all marks less those inside,
        # without a whole-photo mask of the outside (a pause at 12 megapixels).
        top, bottom = sorted((int(np.clip(box[0], 0, height)), int(np.clip(box[2], 0, height))))
        left, right = sorted((int(np.clip(box[1], 0, width)), int(np.clip(box[3], 0, width))))
        total = np.count_nonzero(labels == FOREGROUND)
        return int(total - np.count_nonzero(labels[top:bottom, left:right] == FOREGROUND)) if total else 0

    def _box_words(self) -> tuple[str, str, str]:
        """What a box goes around, what its outside becomes and the brush that paints that, in
        the active mode's words (:attr:`class_names`): Segment mode's object and background,
        Skin mode's skin and non-skin."""
        positive, negative = self.class_names
        if (positive, negative) == ("foreground", "background"):
            return "the object", "background", "the background"
        return f"the {positive}", negative, negative

    def _finish_stroke(self, name: str) -> StrokeDiff | None:
        diff = self.layer.end_stroke() if self.layer is not None else None
        # Also reported when nothing changed (diff None): the window may have stopped a
        # fit when the stroke started and must restart it.
        emit(self.stroke_finished, (diff, name))
        return diff

    def _paint(self, start: QPointF, end: QPointF) -> None:
        if self.layer is None or self._painting_label is None:
            return
        radius = self.brush_size / 2.0
        dirty = self.layer.paint_segment(start.x(), start.y(), end.x(), end.y(), radius, self._painting_label)
        if not self._stroke_reached_photo:
            # Whether the brush touched the photo, whatever it changed (painting over marks of
            # its own label, or erasing where nothing is marked, changes nothing).
            height, width = self.layer.shape
            left, right = min(start.x(), end.x()) - radius, max(start.x(), end.x()) + radius
            top, bottom = min(start.y(), end.y()) - radius, max(start.y(), end.y()) + radius
            self._stroke_reached_photo = dirty is not None or (right >= 0 and bottom >= 0 and left < width
                                                               and top < height)
        if dirty is not None:
            self.refresh_scribbles(dirty)

    def _update_brush_outline(self, point: QPointF | None) -> None:
        if point is None:
            point = self._brush_item.rect().center() if self._brush_item.isVisible() else None
        show = (point is not None and self.marking and self.tool != "rectangle" and not self._space_held
                and self._inside(point))
        if show:
            radius = self.brush_size / 2.0
            if self.tool == "click" and self.layer is not None:
                from segmix.clicks import click_radius

                # The outline of the disc a click paints (the disc's pixels reach half a
                # pixel beyond the radius around the centre pixel's middle).
                radius = click_radius(getattr(self.layer, "disc_shape", self.layer.labels.shape)) + 0.5
            self._brush_item.setRect(QRectF(point.x() - radius, point.y() - radius, 2 * radius, 2 * radius))
        self._brush_item.setVisible(bool(show))

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._brush_item.setVisible(False)
        emit(self.cursor_moved, -1, -1)
        super().leaveEvent(event)

    # -- keys -------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self.hasFocus():
            # Which control holds the keys: a keyboard-only trial could not tell the photo
            # (arrows pan, tool keys) from a slider (arrows move it). A thin frame in the
            # palette's highlight colour while the photo has the focus, none otherwise.
            painter = QPainter(self.viewport())
            pen = QPen(self.palette().highlight().color(), FOCUS_FRAME_WIDTH)
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            painter.setPen(pen)
            half = FOCUS_FRAME_WIDTH / 2
            painter.drawRect(QRectF(self.viewport().rect()).adjusted(half, half, -half, -half))
            painter.end()

    def focusInEvent(self, event) -> None:  # noqa: N802
        super().focusInEvent(event)
        self.viewport().update()

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.viewport().update()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            self._brush_item.setVisible(False)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self.viewport().setCursor(Qt.CursorShape.CrossCursor)
            event.accept()
            return
        super().keyReleaseEvent(event)

    # -- drag and drop ----------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if dropped_files(event):
            accept_as_copy(event)
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if dropped_files(event):
            accept_as_copy(event)

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = dropped_files(event)
        if not paths:
            event.ignore()
            return
        accept_as_copy(event)
        emit(self.files_dropped, paths)


def dropped_files(event) -> list[str]:
    """The local files of a drag-and-drop ``event``, in the order dragged."""
    return [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]


def accept_as_copy(event) -> None:
    """Accept a drag or drop of files as a copy: the window only reads them.

    Accepting the proposed action accepted a move when the source offered one (a Qt drag source
    offering Copy and Move got MoveAction back from a drop under Xvfb), and Qt tells a source
    that sees a move to delete its original data: a file manager or photo browser acting on that
    would remove the photo the user dropped.
    """
    if event.possibleActions() & Qt.DropAction.CopyAction:
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
    else:
        event.acceptProposedAction()


def left_out_words(paths: list[str]) -> str:
    """What the status bar says of files dropped beside the first, which alone is opened."""
    from pathlib import Path

    more = len(paths) - 1
    return (f"Opened the first of the {len(paths)} files dropped, {Path(paths[0]).name}: the window shows one photo "
            f"at a time, so the other {'one was' if more == 1 else f'{more} were'} not opened.")


__all__ = ["ArrayImageItem", "ScribbleCanvas", "StrokeDiff", "TOOLS", "accept_as_copy", "dropped_files",
           "left_out_words"]
