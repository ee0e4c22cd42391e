/* The resource map's page logic: live resources and incidents on a Leaflet map, driven by the desk.
 *
 * The desk builds the page once (folium) and then only calls the functions of `window.deskMap`
 * through runJavaScript, one JSON batch per live update. What the person does on the map goes back
 * to the desk through the QWebChannel object `desk` (see bridge.py).
 *
 * Resources are drawn on their own canvas (L.canvas) as shapes whose form AND colour give the
 * state, with call signs beside them at close zoom; incidents are small labelled badges (priority
 * colour and code) clustered by Leaflet.markercluster when zoomed out.
 */
(function () {
  "use strict";

  var SHAPES = {
    available: "circle", assigned: "triangle", en_route: "diamond", on_scene: "square",
    returning: "ring", off_duty: "dot", unavailable: "cross",
  };

  var state = {
    map: null,
    config: null,
    theme: null,
    bridge: null,
    renderer: null,
    resourceLayer: null,
    resources: new Map(),        // id -> ResourceMarker
    byId: [],                    // the same by id, for the many look-ups of a busy update
    spots: new Map(),            // rounded position -> markers there
    dirtySpots: new Set(),
    incidentLayer: null,
    incidents: new Map(),        // id -> L.Marker
    routeLayer: null,
    hiddenTypes: new Set(),
    hiddenStatuses: new Set(),
    selectedResource: null,
    selectedIncident: null,
    followed: null,
    picking: false,
    timings: [],                 // ms per apply, newest last (at most 2000)
    drawTimings: [],             // ms per redraw of the resources' canvas
    ready: false,
  };

  function record(list, ms) {
    list.push(ms);
    if (list.length > 2000) { list.splice(0, list.length - 2000); }
  }

  function typeVisible(marker) {
    return !state.hiddenTypes.has(marker.row.type) && !state.hiddenStatuses.has(marker.row.status);
  }

  // ---------------------------------------------------------------- resources (canvas shapes)

  // Adds one shape to the current path (no beginPath), so that one fill and one stroke draw
  // every resource in the same state.
  function addShape(ctx, shape, x, y, r) {
    switch (shape) {
      case "triangle":
        ctx.moveTo(x, y - r * 1.15); ctx.lineTo(x + r * 1.05, y + r * 0.75); ctx.lineTo(x - r * 1.05, y + r * 0.75);
        ctx.closePath(); break;
      case "diamond":
        ctx.moveTo(x, y - r * 1.25); ctx.lineTo(x + r * 1.1, y); ctx.lineTo(x, y + r * 1.25); ctx.lineTo(x - r * 1.1, y);
        ctx.closePath(); break;
      case "square":
        ctx.rect(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8); break;
      case "cross":
        var a = r * 0.45, b = r * 1.1;
        ctx.moveTo(x - b, y - b + a); ctx.lineTo(x - b + a, y - b); ctx.lineTo(x, y - a); ctx.lineTo(x + b - a, y - b);
        ctx.lineTo(x + b, y - b + a); ctx.lineTo(x + a, y); ctx.lineTo(x + b, y + b - a); ctx.lineTo(x + b - a, y + b);
        ctx.lineTo(x, y + a); ctx.lineTo(x - b + a, y + b); ctx.lineTo(x - b, y + b - a); ctx.lineTo(x - a, y);
        ctx.closePath(); break;
      case "dot":
        ctx.moveTo(x + r * 0.6, y); ctx.arc(x, y, r * 0.6, 0, Math.PI * 2); break;
      default:
        ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, Math.PI * 2);
    }
  }

  function paintGroup(ctx, markers, status) {
    var theme = state.theme, shape = SHAPES[status] || "circle", colour = theme.status[status] || theme.muted;
    if (!markers.length) { return; }
    ctx.beginPath();
    for (var i = 0; i < markers.length; i++) {
      var p = markers[i]._point;
      addShape(ctx, shape, p.x, p.y, markers[i]._radius);
    }
    if (shape === "ring") {
      ctx.lineWidth = theme.outlineWidth + 1 + Math.max(2.5, theme.radius * 0.55); ctx.strokeStyle = theme.outline;
      ctx.stroke();
      ctx.lineWidth = Math.max(2.5, theme.radius * 0.55); ctx.strokeStyle = colour; ctx.stroke();
    } else {
      ctx.fillStyle = colour; ctx.fill();
      ctx.lineWidth = theme.outlineWidth; ctx.strokeStyle = theme.outline; ctx.stroke();
    }
  }

  function paintLabels(ctx, markers) {
    var theme = state.theme;
    ctx.font = theme.labelFont;
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    ctx.lineWidth = 3; ctx.strokeStyle = theme.labelHalo; ctx.fillStyle = theme.labelText;
    markers.forEach(function (marker) {
      var p = marker._point, x = p.x + marker._radius + 5;
      ctx.strokeText(marker.row.callSign, x, p.y);
      ctx.fillText(marker.row.callSign, x, p.y);
    });
  }

  function paintSelection(ctx, marker) {
    var p = marker._point;
    ctx.beginPath(); ctx.arc(p.x, p.y, marker._radius + 6, 0, Math.PI * 2);
    ctx.lineWidth = 3; ctx.strokeStyle = state.theme.accent; ctx.stroke();
  }

  // The resources' canvas draws its markers grouped by state (one path each) and everything else
  // on it (route lines) as Leaflet does; only what lies in the area being redrawn.
  function drawResourceCanvas() {
    var bounds = this._redrawBounds || this._bounds, ctx = this._ctx;
    var groups = {}, others = [], labelled = [], labels = state.map.getZoom() >= state.config.labelZoom;
    ctx.save();
    if (this._redrawBounds) {
      var size = bounds.getSize();
      ctx.beginPath(); ctx.rect(bounds.min.x, bounds.min.y, size.x, size.y); ctx.clip();
    }
    this._drawing = true;
    for (var order = this._drawFirst; order; order = order.next) {
      var layer = order.layer;
      if (!layer._pxBounds || !bounds || !layer._pxBounds.intersects(bounds)) { continue; }
      if (!layer.row) { others.push(layer); continue; }
      (groups[layer.row.status] || (groups[layer.row.status] = [])).push(layer);
      if (labels) { labelled.push(layer); }
    }
    others.forEach(function (other) { other._updatePath(); });
    if (state.selectedResource && state.selectedResource._map) { paintSelection(ctx, state.selectedResource); }
    Object.keys(groups).forEach(function (status) { paintGroup(ctx, groups[status], status); });
    if (labelled.length) { paintLabels(ctx, labelled); }
    this._drawing = false;
    ctx.restore();
  }

  function requestFullRedraw() {
    var renderer = state.renderer;
    if (!renderer._map) { return; }
    state.fullRedraw = true;
    renderer._redrawRequest = renderer._redrawRequest || L.Util.requestAnimFrame(renderer._redraw, renderer);
  }

  // Resources at one spot (a depot, a big job) are fanned out around it so each stays visible;
  // close up they stand in a column with their call signs.
  var SPREAD_PX = 15;
  var COLUMN_PX = 19;

  // About 5 m square cells counted from the served area's south-west corner: small whole
  // numbers inside the area, which Map keys handle fastest.
  function spotKey(lat, lon) {
    var origin = state.config.area[0];
    return Math.round((lat - origin[0]) * 20000) * 65536 + Math.round((lon - origin[1]) * 10000);
  }

  function moveToSpot(marker, key) {
    if (marker.spot === key) { return; }
    if (marker.spot !== undefined) { leaveSpot(marker); }
    marker.spot = key;
    var members = state.spots.get(key);
    if (members === undefined) {
      state.spots.set(key, marker);  // alone: the usual case, kept without an array
      if (marker.dx || marker.dy) { marker.dx = 0; marker.dy = 0; }
      return;
    }
    if (!Array.isArray(members)) { members = [members]; state.spots.set(key, members); }
    members.push(marker);
    state.dirtySpots.add(key);
  }

  function leaveSpot(marker) {
    var members = state.spots.get(marker.spot);
    if (members === marker) {
      state.spots.delete(marker.spot);
    } else if (Array.isArray(members)) {
      members.splice(members.indexOf(marker), 1);
      state.dirtySpots.add(marker.spot);
    }
    marker.spot = undefined;
  }

  function spreadDirtySpots() {
    var column = state.map.getZoom() >= state.config.labelZoom;
    state.dirtySpots.forEach(function (key) {
      var members = state.spots.get(key);
      if (members === undefined) { return; }
      if (!Array.isArray(members)) { members = [members]; }
      members.sort(function (a, b) { return a.row.id - b.row.id; });
      var count = members.length, ring = 0, placed = 0;
      members.forEach(function (marker, index) {
        var dx = 0, dy = 0;
        if (count > 1 && column) {
          dy = (index - (count - 1) / 2) * COLUMN_PX;
        } else if (count > 1) {
          var inRing = Math.min(6 * (ring + 1), count - placed);
          var angle = (index - placed) / inRing * Math.PI * 2 - Math.PI / 2;
          dx = Math.cos(angle) * SPREAD_PX * (ring + 1); dy = Math.sin(angle) * SPREAD_PX * (ring + 1);
          if (index - placed + 1 === inRing) { placed += inRing; ring += 1; }
        }
        if (marker.dx !== dx || marker.dy !== dy) {
          marker.dx = dx; marker.dy = dy;
          if (marker._map) { marker._project(); }
        }
      });
    });
    state.dirtySpots.clear();
  }

  // Spherical Mercator as Leaflet's EPSG:3857 computes it, without allocating: for thousands of
  // positions a second.
  var EARTH_R = 6378137, RAD = Math.PI / 180, MAX_LAT = 85.0511287798, HALF_OVER_PI_R = 0.5 / (Math.PI * EARTH_R);

  function projectInPlace(marker, scale, origin) {
    var lat = Math.max(Math.min(MAX_LAT, marker._latlng.lat), -MAX_LAT), sin = Math.sin(lat * RAD);
    var x = EARTH_R * marker._latlng.lng * RAD, y = EARTH_R * Math.log((1 + sin) / (1 - sin)) / 2;
    var point = marker._point;
    point.x = Math.round(scale * (HALF_OVER_PI_R * x + 0.5)) - origin.x + (marker.dx || 0);
    point.y = Math.round(scale * (-HALF_OVER_PI_R * y + 0.5)) - origin.y + (marker.dy || 0);
    marker._updateBounds();
  }

  var ResourceMarker = L.CircleMarker.extend({
    _project: function () {
      this._point = this._map.latLngToLayerPoint(this._latlng)._add(L.point(this.dx || 0, this.dy || 0));
      this._updateBounds();
    },
    _updatePath: function () {},  // drawn by drawResourceCanvas, with the others in its state
    _updateBounds: function () {
      var r = this._radius + 9, p = this._point, b = this._pxBounds;
      var right = state.labelsShown ? r + 8 + 8 * this.row.callSign.length : r;
      if (!b) { b = this._pxBounds = new L.Bounds(L.point(0, 0), L.point(0, 0)); }
      b.min.x = p.x - r; b.min.y = p.y - r; b.max.x = p.x + right; b.max.y = p.y + r;
    },
  });

  function resourceFromRow(values) {
    return {
      id: values[0], callSign: values[1], type: values[2], status: values[3], lat: values[4], lon: values[5],
    };
  }

  function showOrHide(marker, wasVisible) {
    var visible = typeVisible(marker);
    if (visible && !wasVisible) { state.resourceLayer.addLayer(marker); }
    if (!visible && wasVisible) { state.resourceLayer.removeLayer(marker); }
  }

  function upsertResource(values) {
    var row = resourceFromRow(values);
    var marker = state.resources.get(row.id);
    if (row.lat === null || row.lon === null) {
      if (marker) { removeResource(row.id); }
      return;
    }
    if (!marker) {
      marker = new ResourceMarker([row.lat, row.lon], {
        renderer: state.renderer, radius: state.theme.radius, interactive: true, bubblingMouseEvents: false,
      });
      marker.row = row;
      marker.on("click", onResourceClick);
      state.resources.set(row.id, marker);
      state.byId[row.id] = marker;
      moveToSpot(marker, spotKey(row.lat, row.lon));
      if (typeVisible(marker)) { state.resourceLayer.addLayer(marker); }
      return;
    }
    var wasVisible = Boolean(marker._map);
    marker.row = row;
    marker._latlng = L.latLng(row.lat, row.lon);
    moveToSpot(marker, spotKey(row.lat, row.lon));
    if (marker._map) { marker._project(); }
    showOrHide(marker, wasVisible);
  }

  function unpack(text, Type) {
    var raw = atob(text), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return new Type(bytes.buffer);
  }

  // Resources the page knows, moved or in a new state: packed columns (see batches.py).
  function applyMoves(moves) {
    var statuses = unpack(moves.status, Int8Array), lats = unpack(moves.lat, Float32Array);
    var lons = unpack(moves.lon, Float32Array), idBytes = unpack(moves.id, Uint8Array);
    var ids = idBytes.length === statuses.length * 2 ? new Uint16Array(idBytes.buffer) : new Int32Array(idBytes.buffer);
    var codes = state.statusCodes, map = state.map;
    var scale = map.options.crs.scale(map.getZoom()), origin = map.getPixelOrigin();
    for (var i = 0; i < ids.length; i++) {
      var marker = state.byId[ids[i]];
      if (marker === undefined) { continue; }
      var row = marker.row, status = codes[statuses[i]];
      row.lat = lats[i]; row.lon = lons[i];
      marker._latlng.lat = row.lat; marker._latlng.lng = row.lon;
      moveToSpot(marker, spotKey(row.lat, row.lon));
      if (status !== row.status) {
        var wasVisible = Boolean(marker._map);
        row.status = status;
        showOrHide(marker, wasVisible);
      }
      if (marker._map) { projectInPlace(marker, scale, origin); }
    }
  }

  function removeResource(id) {
    var marker = state.resources.get(id);
    if (!marker) { return; }
    state.resourceLayer.removeLayer(marker);
    leaveSpot(marker);
    state.resources.delete(id);
    state.byId[id] = undefined;
    if (state.selectedResource === marker) { state.selectedResource = null; }
    if (state.followed === id) { state.followed = null; }
  }

  function onResourceClick(event) {
    var marker = event.target;
    selectResourceMarker(marker);
    if (state.bridge) { state.bridge.resourceClicked(marker.row.id); }
  }

  function selectResourceMarker(marker) {
    var before = state.selectedResource;
    state.selectedResource = marker;
    if (before && before._map) { before.redraw(); }
    if (marker && marker._map) { marker.redraw(); }
  }

  // ---------------------------------------------------------------- incidents (clustered badges)

  function priorityOf(code) {
    return state.config.priorities[code] || { colour: "#888888", rank: 99, name: code };
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function incidentIcon(row, selected) {
    var priority = priorityOf(row.priority);
    return L.divIcon({
      className: "desk-incident" + (selected ? " selected" : ""),
      html: '<span class="badge" style="background:' + priority.colour + '">' + escapeHtml(row.priority) + "</span>",
      iconSize: [34, 22],
      iconAnchor: [17, 11],
    });
  }

  function incidentTooltip(row) {
    return "<b>" + escapeHtml(row.reference) + "</b> \u00b7 " + escapeHtml(row.priority) + "<br>" +
      escapeHtml(row.type) + "<br>" + escapeHtml(row.address) + "<br><i>" + escapeHtml(row.status) + "</i>";
  }

  function clusterIcon(cluster) {
    var best = null;
    cluster.getAllChildMarkers().forEach(function (marker) {
      var priority = priorityOf(marker.row.priority);
      if (best === null || priority.rank < best.rank) { best = priority; best.code = marker.row.priority; }
    });
    var count = cluster.getChildCount();
    return L.divIcon({
      className: "desk-cluster",
      html: '<span class="count" style="border-color:' + best.colour + '">' + count +
        '<small style="background:' + best.colour + '">' + escapeHtml(best.code) + "</small></span>",
      iconSize: [44, 44],
      iconAnchor: [22, 22],
    });
  }

  function upsertIncidents(rows) {
    var add = [], remove = [];
    rows.forEach(function (values) {
      var row = {
        id: values[0], reference: values[1], priority: values[2], type: values[3], status: values[4],
        lat: values[5], lon: values[6], address: values[7],
      };
      var marker = state.incidents.get(row.id);
      if (marker) { remove.push(marker); }
      marker = L.marker([row.lat, row.lon], {
        icon: incidentIcon(row, state.selectedIncident === row.id),
        keyboard: false, riseOnHover: true, bubblingMouseEvents: false,
      });
      marker.row = row;
      marker.bindTooltip(incidentTooltip(row), { direction: "top", offset: [0, -12], className: "desk-tooltip" });
      marker.on("click", onIncidentClick);
      state.incidents.set(row.id, marker);
      add.push(marker);
    });
    if (remove.length) { state.incidentLayer.removeLayers(remove); }
    if (add.length) { state.incidentLayer.addLayers(add); }
  }

  function removeIncidents(ids) {
    var remove = [];
    ids.forEach(function (id) {
      var marker = state.incidents.get(id);
      if (marker) { remove.push(marker); state.incidents.delete(id); }
      if (state.selectedIncident === id) { state.selectedIncident = null; clearRoutes(); }
    });
    if (remove.length) { state.incidentLayer.removeLayers(remove); }
  }

  function onIncidentClick(event) {
    var id = event.target.row.id;
    markSelectedIncident(id);
    if (state.bridge) { state.bridge.incidentClicked(id); }
  }

  function markSelectedIncident(id) {
    var before = state.incidents.get(state.selectedIncident);
    state.selectedIncident = id;
    if (before) { before.setIcon(incidentIcon(before.row, false)); }
    var marker = state.incidents.get(id);
    if (marker) { marker.setIcon(incidentIcon(marker.row, true)); }
    return marker;
  }

  // ---------------------------------------------------------------- routes of recommended resources

  function clearRoutes() {
    if (state.routeLayer) { state.routeLayer.clearLayers(); }
  }

  function showRoutes(routes) {
    clearRoutes();
    routes.forEach(function (route) {
      var line = L.polyline(route.points, {
        renderer: state.renderer, color: state.theme.accent, weight: state.theme.routeWeight, opacity: 0.9,
        dashArray: route.byRoad ? null : "6 6", interactive: false,
      });
      line.bindTooltip(escapeHtml(route.text), {
        permanent: true, direction: "right", className: "desk-route-label", offset: [8, 0],
      });
      state.routeLayer.addLayer(line);
      line.openTooltip(route.points[Math.floor(route.points.length / 2)]);  // clear of the unit's own label
    });
  }

  // ---------------------------------------------------------------- the street map drawn from data

  function decode(flat, origin, unit) {
    var points = new Array(flat.length / 2), lat = 0, lon = 0;
    for (var i = 0, j = 0; i < flat.length; i += 2, j++) {
      lat += flat[i]; lon += flat[i + 1];
      points[j] = [origin[0] + lat * unit, origin[1] + lon * unit];
    }
    return points;
  }

  var STREET_ORDER = ["water", "coastline", "parks", "buildings", "path", "service", "rail", "minor", "major"];

  function streetStyle(kind) {
    var s = state.theme.street;
    switch (kind) {
      case "water": return { stroke: false, fill: true, fillColor: s.water, fillOpacity: 1 };
      case "coastline": return { color: s.water, weight: 3, fill: false };
      case "parks": return { stroke: false, fill: true, fillColor: s.park, fillOpacity: 1 };
      case "buildings": return { color: s.buildingLine, weight: 0.6, fill: true, fillColor: s.building, fillOpacity: 1 };
      case "path": return { color: s.path, weight: 1, dashArray: "1 4", fill: false };
      case "service": return { color: s.minor, weight: 2, fill: false };
      case "rail": return { color: s.rail, weight: 1.5, dashArray: "6 3", fill: false };
      case "minor": return { color: s.minor, weight: 4, fill: false };
      default: return { color: s.major, weight: 6.5, fill: false };
    }
  }

  function streetMap(options) {
    var group = L.layerGroup([], { attribution: options.attribution, pane: "basemap" });
    group.getAttribution = function () { return options.attribution; };
    var renderer = L.canvas({ pane: "basemap", padding: 0.3 });
    group.deskLayers = {};
    group.deskRenderer = renderer;
    var doc = window.DESK_STREET_MAP;
    if (!doc) { return group; }
    STREET_ORDER.forEach(function (kind) {
      var filled = kind === "water" || kind === "parks" || kind === "buildings";
      var style = L.extend({ renderer: renderer, interactive: false, fillRule: "evenodd" }, streetStyle(kind));
      var shapes = (doc.layers[kind] || []).map(function (flat) { return decode(flat, doc.origin, doc.unit); });
      var layer = filled ? L.polygon(shapes, style) : L.polyline(shapes, style);
      group.deskLayers[kind] = layer;
      group.addLayer(layer);
    });
    var labels = L.layerGroup();
    doc.labels.forEach(function (label) {
      var at = [doc.origin[0] + label[0] * doc.unit, doc.origin[1] + label[1] * doc.unit];
      labels.addLayer(L.marker(at, {
        interactive: false, keyboard: false, pane: "streetLabels",
        icon: L.divIcon({
          className: "desk-street-label", iconSize: null,
          html: '<span style="transform:translate(-50%,-50%) rotate(' + label[2] + 'deg)">' + escapeHtml(label[3]) + "</span>",
        }),
      }));
    });
    group.deskLabels = labels;
    group.on("add", function () { showStreetLabels(group); });
    group.on("remove", function () { if (state.map) { state.map.removeLayer(labels); } });
    state.streetMap = group;
    return group;
  }

  function showStreetLabels(group) {
    if (!state.map || !group || !state.map.hasLayer(group)) { return; }
    var wanted = state.map.getZoom() >= state.config.streetLabelZoom;
    if (wanted && !state.map.hasLayer(group.deskLabels)) { state.map.addLayer(group.deskLabels); }
    if (!wanted && state.map.hasLayer(group.deskLabels)) { state.map.removeLayer(group.deskLabels); }
  }

  function restyleStreetMap() {
    var group = state.streetMap;
    if (!group || !group.deskLayers) { return; }
    Object.keys(group.deskLayers).forEach(function (kind) { group.deskLayers[kind].setStyle(streetStyle(kind)); });
  }

  function sectorStyle() {
    var s = state.theme.sectors;
    return { color: s.color, weight: s.weight, dashArray: s.dashArray, fill: false, opacity: 0.9 };
  }

  // ---------------------------------------------------------------- legend and messages

  function legendControl() {
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "desk-legend");
      L.DomEvent.disableClickPropagation(div);
      control.div = div;
      drawLegend(div);
      return div;
    };
    return control;
  }

  function drawLegend(div) {
    if (!div) { return; }
    div.innerHTML = "";
    state.config.statuses.forEach(function (status) {
      var row = L.DomUtil.create("div", "row", div);
      var canvas = L.DomUtil.create("canvas", "", row);
      var scale = window.devicePixelRatio || 1;
      canvas.width = 22 * scale; canvas.height = 18 * scale;
      canvas.style.width = "22px"; canvas.style.height = "18px";
      var ctx = canvas.getContext("2d");
      ctx.scale(scale, scale);
      paintGroup(ctx, [{ _point: { x: 11, y: 9 }, _radius: 6 }], status.code);
      var text = L.DomUtil.create("span", "", row);
      text.textContent = status.label;
    });
  }

  // The first view shows the whole area, once the map has a size (it may load while hidden).
  function ensureInitialView() {
    var size = state.map.getSize();
    if (state.viewSet || size.x < 50 || size.y < 50) { return; }
    state.viewSet = true;
    state.map.fitBounds(state.config.area, { animate: false });
  }

  // ---------------------------------------------------------------- what the desk calls

  var deskMap = {
    init: function (map, config) {
      state.map = map;
      state.config = config;
      state.theme = config.theme;
      map.setMinZoom(config.minZoom);
      map.setMaxZoom(config.maxZoom);
      [["basemap", 250], ["streetLabels", 380], ["stations", 560], ["resources", 580]].forEach(function (pane) {
        map.createPane(pane[0]).style.zIndex = pane[1];
      });
      map.getPane("streetLabels").style.pointerEvents = "none";
      state.renderer = L.canvas({ pane: "resources", padding: 0.2, tolerance: 4 });
      state.statusCodes = config.statuses.map(function (status) { return status.code; });
      state.labelsShown = false;
      state.renderer._draw = drawResourceCanvas;
      var redraw = state.renderer._redraw;
      state.renderer._redraw = function () {  // timed, for the benchmark: the frame after a batch
        var started = performance.now();
        if (state.fullRedraw) { this._redrawBounds = null; state.fullRedraw = false; }
        redraw.apply(this, arguments);
        record(state.drawTimings, performance.now() - started);
      };
      state.resourceLayer = L.featureGroup([], { attribution: "" });
      state.incidentLayer = L.markerClusterGroup({
        maxClusterRadius: 44, disableClusteringAtZoom: config.labelZoom, showCoverageOnHover: false,
        spiderfyOnMaxZoom: true, iconCreateFunction: clusterIcon, chunkedLoading: true,
      });
      state.routeLayer = L.layerGroup();
      map.getContainer().classList.add("desk-map");
      deskMap.setTheme(config.theme);
      map.on("zoomend", function () {
        showStreetLabels(state.streetMap);
        state.labelsShown = map.getZoom() >= config.labelZoom;
        state.spots.forEach(function (members, key) { if (Array.isArray(members)) { state.dirtySpots.add(key); } });
        spreadDirtySpots();
        state.resources.forEach(function (marker) { if (marker._map) { marker._updateBounds(); } });
        requestFullRedraw();
      });
      map.on("click", function (event) {
        if (!state.picking) { return; }
        deskMap.pickLocation(false);
        if (state.bridge) { state.bridge.locationPicked(event.latlng.lat, event.latlng.lng); }
      });
      map.on("dragstart", function () {
        if (state.followed !== null) {
          state.followed = null;
          if (state.bridge) { state.bridge.followStopped(); }
        }
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && state.picking) {
          deskMap.pickLocation(false);
          if (state.bridge) { state.bridge.pickCancelled(); }
        }
      });
      L.control.scale({ imperial: false, maxWidth: 140 }).addTo(map);
      legendControl().addTo(map);
      map.on("resize", ensureInitialView);
      ensureInitialView();
      return deskMap;
    },
    resourcesLayer: function () { return state.resourceLayer; },
    themedSectors: function (layer) {
      state.sectors = layer;
      layer.setStyle(sectorStyle());
    },
    incidentsLayer: function () { return state.incidentLayer; },
    routesLayer: function () { return state.routeLayer; },
    streetMap: streetMap,

    apply: function (batch) {
      var started = performance.now();
      if (batch.reset) {
        state.resourceLayer.clearLayers(); state.resources.clear(); state.spots.clear(); state.byId = [];
        state.incidentLayer.clearLayers(); state.incidents.clear();
      }
      if (batch.resources) { batch.resources.forEach(upsertResource); }
      if (batch.moves) { applyMoves(batch.moves); }
      if (batch.removedResources) { batch.removedResources.forEach(removeResource); }
      spreadDirtySpots();
      if (batch.resources || batch.moves || batch.removedResources || batch.reset) { requestFullRedraw(); }
      if (batch.incidents) { upsertIncidents(batch.incidents); }
      if (batch.closedIncidents) { removeIncidents(batch.closedIncidents); }
      if (state.followed !== null) {
        var followed = state.resources.get(state.followed);
        if (followed) { state.map.panTo(followed.getLatLng(), { animate: false }); }
      }
      var took = performance.now() - started;
      record(state.timings, took);
      return took;
    },

    setFilter: function (hidden) {
      state.hiddenTypes = new Set(hidden.types || []);
      state.hiddenStatuses = new Set(hidden.statuses || []);
      var add = [], remove = [];
      state.resources.forEach(function (marker) {
        var visible = typeVisible(marker);
        if (visible && !marker._map) { add.push(marker); }
        if (!visible && marker._map) { remove.push(marker); }
      });
      remove.forEach(function (marker) { state.resourceLayer.removeLayer(marker); });
      add.forEach(function (marker) { state.resourceLayer.addLayer(marker); });
      return state.resourceLayer.getLayers().length;
    },

    setTheme: function (theme) {
      state.theme = theme;
      var root = document.documentElement;
      Object.keys(theme.css).forEach(function (name) { root.style.setProperty("--desk-" + name, theme.css[name]); });
      document.body.classList.toggle("theme-dark", theme.name === "dark");
      document.body.classList.toggle("theme-high-contrast", theme.name === "high_contrast");
      state.resources.forEach(function (marker) {
        marker._radius = marker.options.radius = theme.radius;
        if (marker._map) { marker._updateBounds(); }
      });
      if (state.renderer) { requestFullRedraw(); }
      restyleStreetMap();
      if (state.sectors) { state.sectors.setStyle(sectorStyle()); }
      document.querySelectorAll(".desk-legend").forEach(drawLegend);
    },

    selectIncident: function (id, pan) {
      var marker = markSelectedIncident(id);
      if (!marker) { return false; }
      if (pan !== false) {
        // Close enough that incidents are no longer clustered, so the highlighted one shows.
        state.viewSet = true;
        var zoom = Math.max(state.map.getZoom(), state.config.labelZoom);
        state.map.setView(marker.getLatLng(), zoom, { animate: false });
      }
      return true;
    },

    selectResource: function (id, pan) {
      var marker = state.resources.get(id);
      if (!marker) { return false; }
      selectResourceMarker(marker);
      if (pan !== false) { state.viewSet = true; state.map.panTo(marker.getLatLng()); }
      return true;
    },

    follow: function (id) {
      state.followed = id;
      var marker = id === null ? null : state.resources.get(id);
      if (marker) {
        selectResourceMarker(marker);
        state.viewSet = true;
        state.map.setView(marker.getLatLng(), Math.max(state.map.getZoom(), state.config.labelZoom), { animate: false });
      }
      return Boolean(marker);
    },

    pickLocation: function (on) {
      state.picking = Boolean(on);
      state.map.getContainer().classList.toggle("picking", state.picking);
      return state.picking;
    },

    fitArea: function () { state.map.fitBounds(state.config.area, { animate: false }); },
    showRoutes: showRoutes,
    clearRoutes: clearRoutes,

    // For tests and the benchmark: read-only views of what the page holds.
    resourceState: function (id) {
      var marker = state.resources.get(id);
      if (!marker) { return null; }
      var at = marker.getLatLng();
      return {
        status: marker.row.status, shape: SHAPES[marker.row.status] || "circle", callSign: marker.row.callSign,
        lat: at.lat, lon: at.lng, shown: Boolean(marker._map),
      };
    },
    counts: function () {
      return {
        resources: state.resources.size, shownResources: state.resourceLayer.getLayers().length,
        incidents: state.incidents.size, routes: state.routeLayer.getLayers().length,
      };
    },
    fireIncidentClick: function (id) {
      var marker = state.incidents.get(id);
      if (!marker) { return false; }
      marker.fire("click", { latlng: marker.getLatLng() });
      return true;
    },
    fireResourceClick: function (id) {
      var marker = state.resources.get(id);
      if (!marker) { return false; }
      marker.fire("click", { latlng: marker.getLatLng() });
      return true;
    },
    // Where an incident's marker is drawn, in CSS pixels of the page (for a real click in tests),
    // or null while it is hidden in a cluster or outside the view.
    incidentPoint: function (id) {
      var marker = state.incidents.get(id);
      var element = marker && marker.getElement ? marker.getElement() : null;
      if (!element || !element.isConnected) { return null; }
      var box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) { return null; }
      return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
    },
    takeTimings: function () {
      var taken = { apply: state.timings, draw: state.drawTimings };
      state.timings = []; state.drawTimings = [];
      return taken;
    },
    map: function () { return state.map; },
    view: function () {
      var c = state.map.getCenter();
      return { lat: c.lat, lon: c.lng, zoom: state.map.getZoom() };
    },
    setView: function (lat, lon, zoom) {
      state.viewSet = true;
      state.map.setView([lat, lon], zoom, { animate: false });
    },
  };

  window.deskMap = deskMap;

  // Connect to the desk once the channel's transport is there; then say the page is ready.
  deskMap.connect = function () {
    if (typeof QWebChannel === "undefined" || !window.qt || !window.qt.webChannelTransport) {
      state.ready = true;
      return;
    }
    new QWebChannel(window.qt.webChannelTransport, function (channel) {
      state.bridge = channel.objects.desk;
      state.ready = true;
      state.bridge.pageReady(JSON.stringify({ leaflet: L.version, resources: state.resources.size }));
    });
  };
})();
