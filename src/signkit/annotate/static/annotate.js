"use strict";
(() => {
  const {api, player, completion, heartbeats} = signkit;
  const p = player();
  const $ = (id) => document.getElementById(id);
  const glosses = $("glosses");
  let session = null;

  completion(glosses, $("suggestions"));
  heartbeats(() => session, p.video);

  const say = (text, kind = "") => { $("status").textContent = text; $("status").className = kind; };
  const refreshHours = () => api("/api/hours").then((d) => { $("hours").textContent = d.hours.toFixed(2); });

  async function next() {
    say("Loading…");
    try {
      const d = await api("/api/next", {});
      if (!d.clip) { session = null; $("work").hidden = true; say(d.message, "ok"); return; }
      session = d.session;
      const c = d.clip;
      $("clipinfo").textContent = `${c.source} #${c.index} · ${c.subject || "—"} ${c.grade || ""} · ${c.start.toFixed(1)}–${c.end.toFixed(1)} s`;
      $("transcript").textContent = c.transcript;
      $("transcript").hidden = !c.transcript;
      const hint = d.suggestion;
      glosses.value = hint ? hint.glosses : "";
      glosses.classList.toggle("suggested", Boolean(hint));
      $("suggestmodel").textContent = hint ? hint.model : "";
      $("suggested").hidden = !hint;
      p.load(c.url, c.fps);
      $("work").hidden = false;
      $("next").hidden = true;
      say("");
      glosses.focus();
    } catch (e) { say(e.message, "error"); }
  }

  async function finish(url, body, done) {
    try {
      await api(url, {session, ...body});
      session = null;
      say(done, "ok");
      $("work").hidden = true;
      $("next").hidden = false;
      refreshHours();
      $("next").focus();
    } catch (e) { say(e.message, "error"); }
  }

  // Once the annotator changes the text, it is theirs: drop the suggestion's styling.
  glosses.addEventListener("input", () => glosses.classList.remove("suggested"));
  $("next").addEventListener("click", next);
  $("glossform").addEventListener("submit", (e) => {
    e.preventDefault();
    finish("/api/submit", {glosses: glosses.value}, "Submitted. Take the next clip when you are ready.");
  });
  glosses.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); $("glossform").requestSubmit(); }
  });
  $("skip").addEventListener("click", () =>
    finish("/api/skip", {reason: $("skipreason").value, note: $("skipnote").value}, "Skipped."));
})();
