"""Who referred the incident, how, where, and what they said.

The location is given by address (with suggestions from the organisation's gazetteer: picking one
fills in its coordinates) or by coordinates typed as "60.1699, 24.9384" (decimal commas are fine).
Each field says under it what is wrong, in words, as soon as it is left.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import Contact, IncidentLocation, ReferralSource
from supervisor_app.domain.intake import IntakeDetails
from supervisor_app.pack import OrganisationPack

#: A point picked on the map takes the nearest gazetteer address within this distance.
NEAREST_ADDRESS_M = 40.0

SOURCE_LABELS = {
    ReferralSource.PHONE: "Phone",
    ReferralSource.EMAIL: "E-mail",
    ReferralSource.WEB_FORM: "Web form",
    ReferralSource.PARTNER_AGENCY: "Partner agency",
    ReferralSource.ALARM: "Alarm",
}


class ReferralForm(QWidget):
    """The referral's details; ``details()`` gives them checked, or raises with what is wrong."""

    #: The incident type chosen (its code, or "" for none).
    sig_type_changed = Signal(str)
    #: Type or place changed: possible duplicates may be different now.
    sig_place_changed = Signal()

    def __init__(self, pack: OrganisationPack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pack = pack
        self.source = QComboBox(self)
        self.source.setObjectName("referral-source")
        for source, label in SOURCE_LABELS.items():
            self.source.addItem(label, source.value)
        self.incident_type = QComboBox(self)
        self.incident_type.setObjectName("referral-type")
        self.incident_type.setEditable(True)
        self.incident_type.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.incident_type.addItem("", "")
        for incident_type in pack.incident_types:
            self.incident_type.addItem(f"{incident_type.name} \u00b7 {incident_type.code}", incident_type.code)
        completer = self.incident_type.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.incident_type.lineEdit().setPlaceholderText("Type to search: gas, lift, welfare\u2026")
        self.incident_type.currentIndexChanged.connect(self._type_changed)

        self.contact_name = self._line("referral-contact-name", "Name of the caller or referrer", 120)
        self.contact_phone = self._line("referral-contact-phone", "Call-back number", 25)
        self.contact_organisation = self._line("referral-contact-organisation", "Organisation, if any", 120)
        self.address = self._line("referral-address", "Street and number; suggestions from the gazetteer", 300)
        self._places = {place.label: place for place in pack.gazetteer()}
        address_completer = QCompleter(QStringListModel(sorted(self._places), self), self)
        address_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        address_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        address_completer.activated.connect(self._place_picked)
        self.address.setCompleter(address_completer)
        self.address.editingFinished.connect(self._address_left)
        self.coordinates = self._line("referral-coordinates", "Latitude, longitude, such as 60.1699, 24.9384", 60)
        self.coordinates.editingFinished.connect(self._coordinates_left)
        self.summary = QPlainTextEdit(self)
        self.summary.setObjectName("referral-summary")
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText("What is happening, in a sentence or two")
        self.summary.setFixedHeight(58)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("FieldError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        form = QFormLayout()
        form.setContentsMargins(10, 6, 10, 4)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("So&urce", self.source)
        form.addRow("Incident &type", self.incident_type)
        form.addRow("&Caller", self.contact_name)
        form.addRow("Phon&e", self.contact_phone)
        form.addRow("Or&ganisation", self.contact_organisation)
        form.addRow("&Address", self.address)
        form.addRow("Coord&inates", self.coordinates)
        form.addRow("Su&mmary", self.summary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(form)
        layout.addWidget(self.error_label)

    def _line(self, name: str, placeholder: str, limit: int) -> QLineEdit:
        line = QLineEdit(self)
        line.setObjectName(name)
        line.setPlaceholderText(placeholder)
        line.setMaxLength(limit)
        return line

    # Reading the form

    @property
    def incident_type_code(self) -> str:
        code = self.incident_type.currentData()
        return str(code) if code else ""

    def point(self) -> Coordinate | None:
        """The coordinates typed or picked, if they read as a point inside the served area."""
        try:
            point = Coordinate.parse(self.coordinates.text())
        except InvalidValue:
            return None
        return point if self.pack.area.contains(point) else None

    def details(self) -> IntakeDetails:
        """The referral, checked; raises ``InvalidValue`` naming the first field to put right."""
        if not self.incident_type_code:
            raise InvalidValue("incident type", self.incident_type.currentText(), "one of the organisation's types")
        text = self.coordinates.text().strip()
        if not text:
            raise InvalidValue("coordinates", "", "a place: pick an address from the suggestions, or type coordinates")
        point = Coordinate.parse(text)
        location = IncidentLocation(point, self.address.text() or f"{point.lat:.5f}, {point.lon:.5f}")
        location.check_within(self.pack.area)
        contact = Contact(self.contact_name.text(), self.contact_phone.text(), self.contact_organisation.text())
        return IntakeDetails(
            incident_type=self.incident_type_code,
            location=location,
            source=ReferralSource(self.source.currentData()),
            summary=self.summary.toPlainText(),
            contact=contact,
        )

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    # Filling the form

    def clear(self) -> None:
        for completer in (self.incident_type.completer(), self.address.completer()):
            completer.popup().hide()  # a list of suggestions left open would keep the keyboard
        self.source.setCurrentIndex(0)
        for line in (self.contact_name, self.contact_phone, self.contact_organisation, self.address, self.coordinates):
            line.clear()
        self.summary.clear()
        self.incident_type.setCurrentIndex(0)
        self.show_error("")

    def fill(
        self,
        *,
        source: ReferralSource,
        incident_type: str | None,
        contact: Contact,
        address: str,
        point: Coordinate | None,
        summary: str,
    ) -> None:
        """Fill the form from a referral in the queue."""
        self.source.setCurrentIndex(max(0, self.source.findData(source.value)))
        self.contact_name.setText(contact.name)
        self.contact_phone.setText(contact.phone)
        self.contact_organisation.setText(contact.organisation)
        self.address.setText(address)
        self.coordinates.setText(f"{point.lat:.6f}, {point.lon:.6f}" if point else "")
        if not point:
            self._address_left()
        self.summary.setPlainText(summary)
        index = self.incident_type.findData(incident_type) if incident_type else 0
        self.incident_type.setCurrentIndex(max(0, index))
        self.show_error("")
        self.sig_place_changed.emit()

    def use_point(self, point: Coordinate) -> None:
        """A location picked on the map: its coordinates, and the nearest known address when the
        address is still empty and one lies within ``NEAREST_ADDRESS_M``."""
        self.coordinates.setText(f"{point.lat:.6f}, {point.lon:.6f}")
        if not self.address.text().strip():
            nearest = min(self._places.values(), key=lambda p: point.distance_m(Coordinate(p.lat, p.lon)), default=None)
            if nearest is not None and point.distance_m(Coordinate(nearest.lat, nearest.lon)) <= NEAREST_ADDRESS_M:
                self.address.setText(nearest.label)
        self._coordinates_left()

    # Reactions

    def _type_changed(self, _index: int) -> None:
        self.sig_type_changed.emit(self.incident_type_code)
        self.sig_place_changed.emit()

    def _place_picked(self, label: str) -> None:
        place = self._places.get(label)
        if place is not None:
            self.coordinates.setText(f"{place.lat:.6f}, {place.lon:.6f}")
            self.show_error("")
            self.sig_place_changed.emit()

    def _address_left(self) -> None:
        place = self._places.get(self.address.text().strip())
        if place is not None and not self.coordinates.text().strip():
            self._place_picked(place.label)

    def _coordinates_left(self) -> None:
        text = self.coordinates.text().strip()
        if not text:
            return
        try:
            IncidentLocation(Coordinate.parse(text), self.address.text() or "-").check_within(self.pack.area)
        except InvalidValue as refused:
            self.show_error(str(refused))
            return
        self.show_error("")
        self.sig_place_changed.emit()
