// Shared by the annotate and edit pages: player controls and shortcuts, gloss completion,
// JSON calls with the CSRF token, and heartbeats that let the server count active time.
"use strict";
const signkit = (() => {
  const csrf = document.body.dataset.csrf;

  async function api(url, body) {
    const res = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.detail || `${res.status} ${res.statusText}`);
    return data;
  }

  function player() {
    const video = document.getElementById("video");
    const play = document.getElementById("play");
    const speed = document.getElementById("speed");
    const loop = document.getElementById("loop");
    const time = document.getElementById("time");
    const fps = () => parseFloat(video.dataset.fps) || 25;
    const toggle = () => (video.paused ? video.play() : video.pause());
    const step = (n) => { video.pause(); video.currentTime = Math.max(0, video.currentTime + n / fps()); };
    const setSpeed = (v) => { speed.value = v; video.playbackRate = parseFloat(v); };
    const SPEEDS = [...speed.options].map((o) => o.value);  // the menu's choices, in order
    const bump = (d) => setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, SPEEDS.indexOf(speed.value) + d))]);
    video.loop = loop.checked;
    play.addEventListener("click", toggle);
    document.getElementById("back").addEventListener("click", () => step(-1));
    document.getElementById("fwd").addEventListener("click", () => step(1));
    speed.addEventListener("change", () => setSpeed(speed.value));
    loop.addEventListener("change", () => { video.loop = loop.checked; });
    video.addEventListener("play", () => { play.textContent = "Pause"; });
    video.addEventListener("pause", () => { play.textContent = "Play"; });
    video.addEventListener("loadedmetadata", () => { video.playbackRate = parseFloat(speed.value); });
    video.addEventListener("timeupdate", () => {
      time.textContent = `${video.currentTime.toFixed(2)} / ${(video.duration || 0).toFixed(2)} s · frame ${Math.round(video.currentTime * fps())}`;
    });
    // By key position (e.code), so that Alt+key works the same on every keyboard layout.
    const keys = {KeyK: toggle, Comma: () => step(-1), Period: () => step(1), BracketLeft: () => bump(-1),
                  BracketRight: () => bump(1), KeyL: () => { loop.checked = !loop.checked; video.loop = loop.checked; }};
    document.addEventListener("keydown", (e) => {
      const typing = ["TEXTAREA", "INPUT", "SELECT"].includes(document.activeElement.tagName);
      const action = keys[e.code];
      if (!action || e.ctrlKey || e.metaKey || (typing && !e.altKey)) return;
      e.preventDefault();
      action();
    });
    return {video, setSpeed, load(url, rate) { video.dataset.fps = rate; video.src = url; video.load(); }};
  }

  function completion(textarea, list) {
    let vocabulary = [];
    api("/api/vocabulary").then((d) => { vocabulary = d.glosses; }).catch(() => {});
    const current = () => {
      const upto = textarea.value.slice(0, textarea.selectionStart);
      const m = upto.match(/(\S+)$/);
      return m ? m[1] : "";
    };
    const accept = (word) => {
      const pos = textarea.selectionStart;
      const before = textarea.value.slice(0, pos).replace(/\S+$/, "");
      const after = textarea.value.slice(pos).replace(/^\S*/, "");
      textarea.value = `${before}${word} ${after.trimStart()}`;
      const caret = before.length + word.length + 1;
      textarea.setSelectionRange(caret, caret);
      list.hidden = true;
      textarea.focus();
    };
    textarea.addEventListener("input", () => {
      const prefix = current().toLowerCase();
      list.replaceChildren();
      const hits = prefix ? vocabulary.filter((g) => g.toLowerCase().startsWith(prefix) && g.toLowerCase() !== prefix).slice(0, 8) : [];
      for (const g of hits) {
        const li = document.createElement("li");
        li.textContent = g;  // text, never HTML: glosses are user input
        li.setAttribute("role", "option");
        li.addEventListener("mousedown", (e) => { e.preventDefault(); accept(g); });
        list.append(li);
      }
      list.hidden = hits.length === 0;
    });
    textarea.addEventListener("keydown", (e) => {
      if (e.key === "Tab" && !list.hidden && list.firstChild) { e.preventDefault(); accept(list.firstChild.textContent); }
      if (e.key === "Escape") list.hidden = true;
    });
    textarea.addEventListener("blur", () => { list.hidden = true; });
  }

  // Signs of life every 20 s while the page is visible and someone plays, types or clicks.
  function heartbeats(sessionOf, video, onHours) {
    let last = Date.now();
    for (const ev of ["keydown", "pointerdown", "input"]) document.addEventListener(ev, () => { last = Date.now(); });
    setInterval(async () => {
      const session = sessionOf();
      const active = Date.now() - last < 60000 || !video.paused;
      if (!session || document.visibilityState !== "visible" || !active) return;
      try { const d = await api("/api/heartbeat", {session}); if (onHours) onHours(d); } catch (_) { /* next one */ }
    }, 20000);
  }

  return {api, player, completion, heartbeats};
})();
