// The status page: fetches /api/status every 2 s and fills the tables. Values go in with
// textContent only, so image names or addresses can never inject markup.
"use strict";

const REFRESH_MILLIS = 2000;

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}

function time(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function yesNo(row, value) {
  cell(row, value ? "yes" : "no", value ? "yes" : "no");
}

function fill(tableId, items, columns, emptyText) {
  const body = document.querySelector("#" + tableId + " tbody");
  body.replaceChildren();
  if (items.length === 0) {
    const row = body.insertRow();
    const td = cell(row, emptyText, "empty");
    td.colSpan = columns;
    return;
  }
  return body;
}

function render(status) {
  const server = status.server;
  document.getElementById("summary").textContent =
    "Serving " + server.data + " on " + server.listen.join(", ") +
    (server.dnbd3 ? " (dnbd3 and HTTP)" : " (HTTP only)") +
    " — up " + Math.round(server.uptimeSeconds) + " s, " + server.version;

  const t = status.throughput;
  const figures = document.getElementById("throughput");
  figures.replaceChildren();
  for (const [label, value] of [
      ["dnbd3 now", bytes(t.dnbd3BytesPerSecond) + "/s"],
      ["dnbd3 total", bytes(t.dnbd3BytesSent)],
      ["HTTP now", bytes(t.httpBytesPerSecond) + "/s"],
      ["HTTP total", bytes(t.httpBytesSent)]]) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    figures.append(dt, dd);
  }

  let body = fill("clients", status.clients, 5, "no dnbd3 client connected");
  for (const c of body ? status.clients : []) {
    const row = body.insertRow();
    row.className = "client";
    cell(row, c.address); cell(row, c.image); cell(row, String(c.rid));
    cell(row, bytes(c.bytesSent), "num"); cell(row, time(c.since));
  }

  body = fill("images", status.images, 5, "the image store is empty: slx image add FILE --name NAME");
  for (const i of body ? status.images : []) {
    const row = body.insertRow();
    cell(row, i.name); cell(row, String(i.rid)); cell(row, bytes(i.size), "num");
    yesNo(row, i.crc); cell(row, String(i.clients), "num");
  }

  body = fill("bases", status.bases, 6, "no boot base: slx server init creates one");
  for (const b of body ? status.bases : []) {
    const row = body.insertRow();
    cell(row, b.name); yesNo(row, b.config); yesNo(row, b.configTgz); yesNo(row, b.kernel);
    yesNo(row, b.initrd); cell(row, String(b.machineConfigs), "num");
  }

  body = fill("fetches", status.configFetches, 5, "no config fetched since the server started");
  for (const f of body ? status.configFetches : []) {
    const row = body.insertRow();
    cell(row, time(f.time)); cell(row, f.address); cell(row, f.path); cell(row, f.uuid || "");
    cell(row, f.served || "not found (404)");
  }
}

async function refresh() {
  const state = document.getElementById("state");
  try {
    const response = await fetch("/api/status", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    render(await response.json());
    state.textContent = "updated " + new Date().toLocaleTimeString() + ", every " + REFRESH_MILLIS / 1000 + " s";
    state.className = "state";
  } catch (e) {
    state.textContent = "cannot reach the server (" + e.message + "); retrying";
    state.className = "state error";
  } finally {
    setTimeout(refresh, REFRESH_MILLIS);
  }
}

refresh();
