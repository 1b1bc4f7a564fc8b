// In the page (benchmarks/widget_latency.py): find every control, move one, time it to the
// first animation frame in which the picture changed.
window.bench = (() => {
  const hash = (s) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
    return h >>> 0;
  };
  const box = (key) => document.querySelector(`.bench-${key}`);
  const field = (key, c) => box(key).querySelectorAll(".gdx-field")[c.index];
  // What "the picture changed" means for each kind of output.
  const looks = {
    floor: (b) => b.querySelector(".widget-html-content").textContent,
    interact: (b) => {
      const img = b.querySelector("img");
      return img && img.complete ? hash(img.src.slice(-4000)) + ":" + img.src.length : "loading";
    },
    ipympl: (b) => {
      const c = b.querySelector("canvas");
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let h = 0;
      for (let i = 0; i < d.length; i += 97) h = (h * 31 + d[i]) | 0;
      return h;
    },
    bqplot: (b) => hash([...b.querySelectorAll("path")].map((p) => p.getAttribute("d") || "").join("|")),
  };
  const explorerLook = (b) => b.querySelector("canvas.gdx-canvas").dataset.frame;
  const look = (key) => (looks[key] || explorerLook)(box(key));

  function controls(key) {
    const b = box(key), found = [];
    if (key in looks) {
      b.querySelectorAll(".widget-slider").forEach((s, index) => {
        const label = (s.querySelector(".widget-label") || {}).textContent || "slider";
        found.push({ kind: "nouislider", index, label: label + " slider" });
      });
      return found;
    }
    b.querySelectorAll(".gdx-field").forEach((f, index) => {
      const label = f.querySelector("label").textContent;
      if (f.querySelector("select")) found.push({ kind: "select", index, label: label + " list" });
      else found.push({ kind: "range", index, label: label + " slider" });
      if (f.querySelector(".gdx-play")) found.push({ kind: "play", index, label: "Play (first frame)" });
    });
    b.querySelectorAll("button.gdx-button").forEach((button, index) => {
      // Its text without the trailing "(...)": "θ = steepest ascent", "rate 1/a = 0.5" (unique).
      found.push({ kind: "button", index, label: button.textContent.replace(/ \(.*\)$/, "") + " button" });
    });
    return found;
  }

  function act(key, c, up) {
    const b = box(key);
    if (c.kind === "nouislider") {
      const handle = b.querySelectorAll(".widget-slider")[c.index].querySelector(".noUi-handle");
      handle.dispatchEvent(new KeyboardEvent("keydown", { key: up ? "ArrowRight" : "ArrowLeft", bubbles: true }));
    } else if (c.kind === "range") {
      const input = field(key, c).querySelector("input");
      if (input.disabled) return false;
      const step = Number(input.step), value = Number(input.value);
      if (up && value + step > Number(input.max) + 1e-9) up = false;
      if (!up && value - step < Number(input.min) - 1e-9) up = true;
      if (up) input.stepUp(); else input.stepDown();  // what an arrow key does to it
      input.dispatchEvent(new Event("input", { bubbles: true }));
    } else if (c.kind === "select") {
      const select = field(key, c).querySelector("select");
      select.selectedIndex = (select.selectedIndex + 1) % select.options.length;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (c.kind === "play") {
      field(key, c).querySelector(".gdx-play").click();
    } else {
      const button = b.querySelectorAll("button.gdx-button")[c.index];
      if (button.disabled) return false;
      button.click();
    }
    return true;
  }

  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

  async function quiet(key, ms, timeout) {
    // In view, as a student sees it (JupyterLab paints visible cells only), before the clock.
    box(key).scrollIntoView({ block: "center" });
    let last = look(key), since = performance.now();
    const end = since + timeout;
    while (performance.now() < end) {
      await frame();
      const now = look(key);
      if (now !== last) { last = now; since = performance.now(); }
      else if (performance.now() - since >= ms) return true;
    }
    return false;
  }

  const said = (key) => (box(key).querySelector(".gdx-readout") || {}).textContent;

  // When the kernel's answer (its first widget update after the move) reached the page: the
  // sockets are watched from before the notebook opened (REPLY_WATCH in widget_latency.py).
  const replyAfter = (t0) => {
    const hit = (window.__benchReplies || []).find((t) => t >= t0);
    return hit === undefined ? null : hit - t0;
  };

  async function move(key, c, up, timeout) {
    const before = look(key), words = said(key), t0 = performance.now();
    if (!act(key, c, up)) return { skipped: "disabled" };
    let result = { stale: true };
    while (performance.now() - t0 < timeout) {
      await frame();
      if (look(key) !== before) { result = { ms: performance.now() - t0, reply: replyAfter(t0) }; break; }
    }
    if (window.__benchReplies) window.__benchReplies.length = 0;
    const play = c.kind === "play" && field(key, c).querySelector(".gdx-play");
    if (play && play.textContent === "Pause") play.click();
    // Neither the picture nor the readout changed: the move has no effect in this state (T of
    // a constant schedule); only a readout that changed over an unchanged picture is stale.
    if (result.stale && words !== undefined && said(key) === words) return { noEffect: true };
    return result;
  }

  return { controls, move, quiet };
})();
