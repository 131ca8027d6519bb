"use strict";
(() => {
  const {api, player, completion, heartbeats} = signkit;
  const p = player();
  const form = document.getElementById("editform");
  completion(document.getElementById("glosses"), document.getElementById("suggestions"));
  // Opening the page writes nothing; the edit's work session (its timing) starts here.
  if (!form.dataset.session) {
    api("/api/edit", {annotation: parseInt(form.dataset.annotation, 10)}).then((d) => {
      form.dataset.session = d.session;
      form.elements.session.value = d.session;
    }).catch(() => { /* the edit still saves, untimed */ });
  }
  heartbeats(() => parseInt(form.dataset.session, 10), p.video);
})();
