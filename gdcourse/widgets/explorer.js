// The explorers' front end (anywidget): native, labelled controls, the picture, the readout.
//
// The kernel stays the source of truth: it computes every run, lays the figure out with
// matplotlib and sends (1) the background as a PNG when it changes, (2) the moving layer as
// drawing operations (JSON) over one Float32 buffer of pixel coordinates, on every change, and
// (3) the readout sentence. This module only draws them, and sends back what a student did.

const PLAY = "Play", PAUSE = "Pause";

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function floats(view) {
  // anywidget hands Bytes over as a DataView; a Float32Array needs 4-byte alignment.
  if (!view || !view.byteLength) return new Float32Array(0);
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  return new Float32Array(bytes.slice().buffer);
}

function tracePolylines(ctx, xy, offset, lengths, close) {
  let i = offset;
  for (const n of lengths) {
    ctx.moveTo(xy[i], xy[i + 1]);
    for (let j = 1; j < n; j++) ctx.lineTo(xy[i + 2 * j], xy[i + 2 * j + 1]);
    if (close) ctx.closePath();
    i += 2 * n;
  }
}

function stroke(ctx, op) {
  ctx.lineWidth = op.lw;
  ctx.strokeStyle = op.stroke;
  ctx.lineCap = op.cap || "butt";
  ctx.lineJoin = op.join || "miter";
  ctx.setLineDash(op.dash || []);
  ctx.lineDashOffset = op.dashoff || 0;
  ctx.stroke();
}

function hatchTile(tile) {
  // matplotlib's own hatch (its path, density and line width, from the kernel: hatch.py), in a
  // tile of one inch as Agg draws it: filled, then stroked with square caps. The shapes on a
  // tile's edges are in the path twice, so the tiles join without a seam.
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = tile.size;
  const t = canvas.getContext("2d");
  t.fillStyle = t.strokeStyle = tile.color;
  t.lineWidth = tile.lw;
  t.lineCap = "square";
  t.beginPath();
  for (const poly of tile.polys) {
    t.moveTo(poly[0], poly[1]);
    for (let j = 2; j < poly.length; j += 2) t.lineTo(poly[j], poly[j + 1]);
  }
  t.fill("nonzero");
  t.stroke();
  return canvas;
}

function paintOp(ctx, op, xy, hatch) {
  ctx.save();
  if (op.clip) {
    ctx.beginPath();
    ctx.rect(op.clip[0], op.clip[1], op.clip[2], op.clip[3]);
    ctx.clip();
  }
  if (op.k === "path") {
    ctx.beginPath();
    tracePolylines(ctx, xy, op.o, op.n, !!op.fill);
    if (op.fill) { ctx.fillStyle = op.fill; ctx.fill(); }
    const pattern = op.hatch && hatch(ctx, op.hatch);
    if (pattern) { ctx.fillStyle = pattern; ctx.fill(); }
    if (op.stroke && op.lw > 0) stroke(ctx, op);
  } else if (op.k === "markers") {
    const shape = new Path2D();
    let i = op.o;
    for (const n of op.n) {
      shape.moveTo(xy[i], xy[i + 1]);
      for (let j = 1; j < n; j++) shape.lineTo(xy[i + 2 * j], xy[i + 2 * j + 1]);
      i += 2 * n;
    }
    // Every marker in one path: one fill and one stroke, however many iterates there are.
    const all = new Path2D();
    for (let p = 0; p < op.np; p++) {
      all.addPath(shape, new DOMMatrix([1, 0, 0, 1, xy[op.p + 2 * p], xy[op.p + 2 * p + 1]]));
    }
    if (op.fill) { ctx.fillStyle = op.fill; ctx.fill(all); }
    if (op.stroke && op.lw > 0) {
      ctx.lineWidth = op.lw; ctx.strokeStyle = op.stroke; ctx.setLineDash([]);
      ctx.lineJoin = op.join || "miter"; ctx.stroke(all);
    }
  } else if (op.k === "text") {
    ctx.font = op.font;
    ctx.fillStyle = op.fill || "black";
    ctx.textBaseline = "alphabetic";
    ctx.textAlign = "left";
    ctx.translate(op.x, op.y);
    if (op.angle) ctx.rotate((-op.angle * Math.PI) / 180);
    ctx.fillText(op.s, 0, 0);
  }
  ctx.restore();
}

function render({ model, el: host }) {
  // JupyterLab's keyboard shortcuts (arrow keys move between cells) would take the keys a
  // student presses on a slider: Lumino skips elements marked with this attribute.
  const root = el("div", { class: "gdx", "data-lm-suppress-shortcuts": "true" });
  const controlsBox = el("div", { class: "gdx-controls" });
  const picture = el("div", { class: "gdx-picture", role: "img" });
  const canvas = el("canvas", { class: "gdx-canvas" });
  const readout = el("div", {
    class: "gdx-readout gdcourse-readout",
    role: "status",
    "aria-live": "polite",
  });
  // Said once, when the kernel behind the explorer is gone (restarted or shut down).
  const notice = el("div", { class: "gdx-notice", role: "alert", hidden: "" });
  // ... and the notebook itself prevents the default of arrow keys (moving the slider): the
  // keys pressed on the explorer's own controls stay with them.
  root.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, button")) event.stopPropagation();
  });
  picture.appendChild(canvas);
  root.append(controlsBox, picture, notice, readout);
  host.appendChild(root);

  const uid = "gdx-" + Math.random().toString(36).slice(2, 10);
  const fields = {}; // name -> {input, output, spec, play}
  const buttons = {}; // id -> button
  let structure = "";
  let timer = null;
  let frames = 0;
  let background = null; // ImageBitmap
  let backgroundReady = Promise.resolve();
  let drawQueued = false;
  const scene = document.createElement("canvas"); // the still image with the scenery over it
  let sceneKey = "", sceneVersion = 0;
  const sceneChanged = () => { sceneVersion++; queueDraw(); };
  const patterns = new Map();
  const hatch = (ctx, key) => {
    if (!patterns.has(key)) {
      const tile = (model.get("hatches") || {})[key];
      if (!tile) return null;
      patterns.set(key, ctx.createPattern(hatchTile(tile), "repeat"));
    }
    return patterns.get(key);
  };

  // -- controls ---------------------------------------------------------------------------
  // One action in flight at a time: while the kernel computes, a dragged slider's newer
  // positions replace each other (the last one wins), so the picture never lags behind the
  // hand by a queue of runs the student has already left (as ipywidgets' own sliders do);
  // clicks wait in the same queue, in the order the student acted, and each one counts.
  let seq = 0, inFlight = 0, inFlightName = null, watchdog = null, clicks = 0;
  const waiting = new Map(); // "v:name" or "c:n" -> message, oldest first
  function act(key, message) {
    waiting.delete(key); // a newer position replaces a waiting one, and goes last
    if (inFlight && watchdog !== null) waiting.set(key, message);
    else send(message); // nothing in flight, or an answer overdue: go now
  }
  function send(message) {
    inFlight = ++seq;
    inFlightName = message.value ? message.value[0] : null;
    model.send({ ...message, seq: inFlight });
    // An answer that never comes (an interrupted kernel, a dropped message): after 3 s the
    // next action goes anyway, so the explorer never stops listening.
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      watchdog = null;
      const next = waiting.entries().next();
      if (!next.done) { waiting.delete(next.value[0]); send(next.value[1]); }
    }, 3000);
  }
  function done(answered) {
    if (answered !== inFlight || !inFlight) return;
    clearTimeout(watchdog);
    watchdog = null;
    inFlight = 0;
    inFlightName = null;
    const next = waiting.entries().next();
    if (!next.done) {
      waiting.delete(next.value[0]);
      send(next.value[1]);
    } else {
      syncValues(); // the last action is answered: show the kernel's values as they stand
    }
  }
  const moving = (name) => name === inFlightName || waiting.has("v:" + name);
  // Only the control the student moved: the kernel answers with every value as it holds them,
  // so a stale position of another control can never undo a change the kernel made.
  const sendValue = (name, position) => act("v:" + name, { value: [name, position] });
  const sendClick = (id) => act("c:" + ++clicks, { click: id });

  function shownPosition(spec, position) {
    if (spec.kind === "log") return Math.log10(position);
    return position;
  }

  function valueOfInput(spec, input) {
    let x = Number(input.value);
    if (spec.kind !== "choice") {
      // The ends are the kernel's own numbers (the input's text of them may round them).
      if (x >= spec.max || Math.abs(x - spec.max) < 1e-9) x = spec.max;
      if (x <= spec.min || Math.abs(x - spec.min) < 1e-9) x = spec.min;
    }
    return spec.kind === "log" ? Math.pow(10, x) : x;
  }

  function localText(spec, position) {
    if (spec.kind === "choice" || spec.kind === "select") return spec.options[position] ?? "";
    if (spec.kind === "int" || spec.kind === "play") return String(Math.round(position));
    return String(Number(Number(position).toPrecision(3)));
  }

  function stopPlay() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    for (const f of Object.values(fields)) if (f.play) f.play.textContent = PLAY;
  }

  function makeField(item, id) {
    const wrap = el("span", { class: "gdx-field", title: item.tooltip || "" });
    const label = el("label", { for: id }, item.label);
    wrap.appendChild(label);
    const field = { spec: item };
    if (item.kind === "select") {
      const select = el("select", { id, title: item.tooltip || "" });
      item.options.forEach((text, i) => select.appendChild(el("option", { value: String(i) }, text)));
      select.addEventListener("change", () => sendValue(item.name, Number(select.value)));
      wrap.appendChild(select);
      field.input = select;
    } else {
      if (item.kind === "play") {
        const play = el("button", { type: "button", class: "gdx-play", title: item.tooltip || "" }, PLAY);
        play.addEventListener("click", () => {
          if (timer !== null) { stopPlay(); return; }
          const spec = field.spec;
          play.textContent = PAUSE;
          // The first step at once (from the start if the run is shown whole), then one per tick.
          const next = () => {
            const k = Number(model.get("values")[item.name]);
            if (k >= field.spec.max) { stopPlay(); return; }
            sendValue(item.name, k + 1);
          };
          if (Number(model.get("values")[item.name]) >= spec.max) sendValue(item.name, spec.min);
          else next();
          timer = setInterval(next, item.interval || 250);
        });
        field.play = play;
        wrap.insertBefore(play, label);
      }
      const input = el("input", { type: "range", id, title: item.tooltip || "" });
      input.addEventListener("input", () => {
        const spec = field.spec;
        const position = valueOfInput(spec, input);
        const text = localText(spec, position);
        field.output.textContent = text;
        input.setAttribute("aria-valuetext", text);
        sendValue(item.name, position);
      });
      wrap.appendChild(input);
      field.input = input;
      // The value as text beside the slider; a screen reader hears it as the slider's
      // aria-valuetext (an <output> would be a second live region, read twice).
      field.output = el("span", { class: "gdx-value", "aria-hidden": "true" });
      wrap.appendChild(field.output);
    }
    return field;
  }

  function applySpec(field, item) {
    field.spec = item;
    const input = field.input;
    input.disabled = !!item.disabled;
    input.parentNode.querySelector("label").textContent = item.label;
    // The tooltip may change with the state (why a control is disabled, say): every copy of it.
    for (const node of [input.parentNode, input, field.play]) if (node) node.title = item.tooltip || "";
    if (input.tagName === "INPUT") {
      const [min, max, step] = item.kind === "choice" ? [0, item.options.length - 1, 1] : [item.min, item.max, item.step];
      // A range input stops at the last step below an end off its grid (log10 1.5 is): its
      // top is the next step up, which stands for the end itself (valueOfInput).
      const n = Math.ceil((max - min) / step - 1e-9);
      input.min = String(min);
      input.max = String(min + n * step);
      input.step = String(step);
    }
  }

  function buildControls() {
    const rows = model.get("spec");
    const key = JSON.stringify(rows.map((row) => row.map((i) => [i.t, i.name || i.id || i.text, i.kind])));
    if (key !== structure) {
      structure = key;
      stopPlay();
      controlsBox.replaceChildren();
      for (const k of Object.keys(fields)) delete fields[k];
      for (const k of Object.keys(buttons)) delete buttons[k];
      for (const row of rows) {
        const line = el("div", { class: "gdx-row" });
        for (const item of row) {
          if (item.t === "text") {
            line.appendChild(el("span", { class: "gdx-text" }, item.text));
          } else if (item.t === "button") {
            const button = el("button", { type: "button", class: "gdx-button" });
            button.addEventListener("click", () => sendClick(item.id));
            buttons[item.id] = button;
            line.appendChild(button);
          } else {
            const field = makeField(item, `${uid}-${item.name}`);
            fields[item.name] = field;
            line.appendChild(field.input.parentNode);
          }
        }
        controlsBox.appendChild(line);
      }
    }
    for (const row of rows) {
      for (const item of row) {
        if (item.t === "button") {
          const b = buttons[item.id];
          b.textContent = item.label;
          b.title = item.tooltip || "";
          b.disabled = !!item.disabled;
        } else if (item.t === "control") {
          applySpec(fields[item.name], item);
        }
      }
    }
    syncValues();
  }

  function syncValues() {
    const values = model.get("values");
    const texts = model.get("texts");
    for (const [name, field] of Object.entries(fields)) {
      if (!(name in values)) continue;
      // A control the student is still moving keeps its place: the kernel's answer to an
      // older position must not pull it back under the student's hand.
      if (moving(name)) continue;
      const position = values[name];
      const text = texts[name] ?? localText(field.spec, position);
      if (field.input.tagName === "SELECT") {
        field.input.value = String(position);
      } else {
        // Move the slider only where the kernel holds another value than it shows.
        const wanted = shownPosition(field.spec, position);
        if (Math.abs(Number(field.input.value) - wanted) > 1e-9) field.input.value = String(wanted);
        field.input.setAttribute("aria-valuetext", text);
        field.output.textContent = text;
      }
    }
  }

  // -- the picture --------------------------------------------------------------------------
  function loadBackground() {
    const view = model.get("background");
    if (!view || !view.byteLength) return;
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
    backgroundReady = createImageBitmap(new Blob([bytes], { type: "image/png" }))
      .then((bitmap) => { background = bitmap; })
      .catch((err) => {
        // The layers above are still drawn: a picture without its axes beats a frozen one.
        console.error("gdcourse explorer: the background image could not be decoded", err);
        background = null;
      })
      .finally(() => { sceneVersion++; });
    queueDraw();
  }

  function paint() {
    const [w, h] = model.get("size");
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
      canvas.style.width = `${w}px`; // at most: CSS shrinks it to a narrow cell, in proportion
    }
    // The still image and the scenery are composed once per change into a layer of their own;
    // a frame then copies it and draws the moving layer over it.
    const key = `${sceneVersion}|${w}|${h}|${ratio}`;
    if (sceneKey !== key) {
      scene.width = canvas.width;
      scene.height = canvas.height;
      const sctx = scene.getContext("2d");
      sctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      sctx.clearRect(0, 0, w, h);
      if (background) sctx.drawImage(background, 0, 0, w, h);
      const sxy = floats(model.get("scene_coords"));
      for (const op of JSON.parse(model.get("scene_ops") || "[]")) paintOp(sctx, op, sxy, hatch);
      sceneKey = key;
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(scene, 0, 0);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const xy = floats(model.get("coords"));
    for (const op of JSON.parse(model.get("ops") || "[]")) paintOp(ctx, op, xy, hatch);
    canvas.dataset.frame = String(++frames);
  }

  function queueDraw() {
    // One message may change the background, the layer and the readout: draw once.
    if (drawQueued) return;
    drawQueued = true;
    queueMicrotask(() => {
      backgroundReady.then(() => {
        drawQueued = false;
        try { paint(); } catch (err) { console.error("gdcourse explorer: drawing failed", err); }
      });
    });
  }

  function showReadout() {
    const text = model.get("readout");
    readout.textContent = text;
    readout.classList.toggle("gdx-problem", !!model.get("problem"));
    picture.setAttribute("aria-label", text || "the explorer's picture");
  }

  model.on("change:spec", buildControls);
  model.on("change:values", syncValues);
  model.on("change:texts", syncValues);
  model.on("change:background", loadBackground);
  model.on("change:ops", queueDraw);
  model.on("change:scene_ops", sceneChanged);
  model.on("change:scene_coords", sceneChanged);
  model.on("change:coords", queueDraw);
  model.on("change:size", queueDraw);
  model.on("change:hatches", () => { patterns.clear(); sceneChanged(); });
  // The page lost the kernel (restarted, shut down, or a dropped connection): ask it; if it
  // does not answer, say so and disable the controls, instead of controls that look live and
  // do nothing. An answer later (the connection came back) makes the explorer live again.
  let asked = 0, answered = 0, disabledHere = [];
  const gone = () => {
    if (!notice.hidden) return;
    stopPlay();
    disabledHere = [...root.querySelectorAll("input, select, button")].filter((n) => !n.disabled);
    for (const node of disabledHere) node.disabled = true;
    notice.textContent = "This explorer has stopped: its kernel was restarted or shut down. "
      + "Run the cell again to explore.";
    notice.hidden = false;
  };
  const alive = () => {
    if (notice.hidden) return;
    notice.hidden = true;
    notice.textContent = "";
    for (const node of disabledHere) node.disabled = false;
    disabledHere = [];
    buildControls();
  };
  const ask = () => {
    const n = ++asked;
    try { model.send({ ping: n }); } catch (err) { /* no connection at all */ }
    setTimeout(() => { if (answered < n) gone(); }, 2000);
  };
  model.on("msg:custom", (msg) => {
    if (!msg) return;
    if (Number.isInteger(msg.done)) done(msg.done);
    if (Number.isInteger(msg.pong)) { answered = Math.max(answered, msg.pong); alive(); }
  });
  model.on("comm_live_update", ask);
  model.on("comm:close", gone);
  model.on("change:readout", showReadout);
  model.on("change:problem", showReadout);
  buildControls();
  showReadout();
  loadBackground();
  queueDraw();
  // On a high-density screen the kernel renders the still image with twice the pixels.
  if ((window.devicePixelRatio || 1) > 1.01) model.send({ ratio: window.devicePixelRatio });
  return () => stopPlay();
}

export default { render };
