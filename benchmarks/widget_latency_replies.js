// Before the notebook opens (benchmarks/widget_latency.py): note when each widget update from
// the kernel reaches the page, so the table can tell the kernel's answer from the drawing.
(() => {
  window.__benchReplies = [];
  const text = new TextDecoder();
  const Socket = window.WebSocket;
  const head = (d) => {
    if (typeof d === "string") return d.slice(0, 4000);
    if (d instanceof ArrayBuffer) return text.decode(new Uint8Array(d, 0, Math.min(4000, d.byteLength)));
    return "";
  };
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const h = head(event.data);
        if (/"msg_type"\s*:\s*"comm_msg"/.test(h) && /"method"\s*:\s*"update"/.test(h)) {
          window.__benchReplies.push(performance.now());
        }
      });
    }
  };
})();
