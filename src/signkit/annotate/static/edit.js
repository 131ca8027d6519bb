"use strict";
(() => {
  const {player, completion, heartbeats} = signkit;
  const p = player();
  const form = document.getElementById("editform");
  completion(document.getElementById("glosses"), document.getElementById("suggestions"));
  heartbeats(() => parseInt(form.dataset.session, 10), p.video);
})();
