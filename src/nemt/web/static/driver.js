// The driver's page (issue 15, verified trips): every arrive / pick-up / drop-off form sends the phone's position
// with the event, and the drop-off form a signature drawn on the screen. A static script from the app's own origin
// (the content-security policy allows no inline script). The position never blocks the log: when the driver or the
// browser refuses it, or none comes in time, the form is sent saying so ("refused" / "unavailable").
"use strict";

const POSITION_WAIT_MS = 8000;

function fill(form, values) {
  for (const [name, value] of Object.entries(values)) {
    const input = form.querySelector(`input[name="${name}"]`);
    if (input) input.value = value;
  }
}

function sendWithPosition(form) {
  let sent = false;
  const send = (values) => {
    if (sent) return;
    sent = true;
    fill(form, values);
    form.submit();
  };
  if (!("geolocation" in navigator)) {
    send({ position_status: "unavailable" });
    return;
  }
  const timer = setTimeout(() => send({ position_status: "unavailable" }), POSITION_WAIT_MS + 1000);
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      clearTimeout(timer);
      send({
        position_status: "recorded",
        latitude: pos.coords.latitude.toFixed(6),
        longitude: pos.coords.longitude.toFixed(6),
        accuracy_m: Math.round(pos.coords.accuracy || 0),
        position_at: new Date(pos.timestamp).toISOString(),
      });
    },
    (err) => {
      clearTimeout(timer);
      send({ position_status: err && err.code === 1 ? "refused" : "unavailable" });
    },
    { enableHighAccuracy: true, timeout: POSITION_WAIT_MS, maximumAge: 60000 },
  );
}

for (const form of document.querySelectorAll("form[data-evidence]")) {
  form.addEventListener("submit", (event) => {
    if (form.dataset.positioned) return;
    event.preventDefault();
    form.dataset.positioned = "1";
    const canvas = form.querySelector("canvas[data-signature]");
    if (canvas && canvas.dataset.drawn) {
      fill(form, { signature_png: canvas.toDataURL("image/png") });
    }
    sendWithPosition(form);
  });
}

// A signature pad: draw with a finger, a pen or a mouse; "Clear" starts again.
for (const canvas of document.querySelectorAll("canvas[data-signature]")) {
  const ctx = canvas.getContext("2d");
  ctx.lineWidth = 2;
  ctx.lineCap = "round";
  ctx.strokeStyle = "#000";
  let drawing = false;
  const point = (e) => {
    const box = canvas.getBoundingClientRect();
    return [(e.clientX - box.left) * (canvas.width / box.width), (e.clientY - box.top) * (canvas.height / box.height)];
  };
  canvas.addEventListener("pointerdown", (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    ctx.beginPath();
    ctx.moveTo(...point(e));
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    ctx.lineTo(...point(e));
    ctx.stroke();
    canvas.dataset.drawn = "1";
  });
  const stop = () => { drawing = false; };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  const clear = canvas.parentElement.querySelector("button[data-clear]");
  if (clear) {
    clear.addEventListener("click", () => {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      delete canvas.dataset.drawn;
    });
  }
}
