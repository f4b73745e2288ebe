// memo serve: send the form, follow the build's progress, then show the memo and its downloads.
"use strict";
(function () {
  const form = document.getElementById("build");
  const button = document.getElementById("submit");
  const bar = document.getElementById("progress");
  const status = document.getElementById("status");
  const result = document.getElementById("result");

  function say(text, failed) {
    status.textContent = text;
    status.className = failed ? "error" : "";
  }

  async function follow(id) {
    for (;;) {
      const reply = await fetch("/builds/" + id, {credentials: "same-origin"});
      const state = await reply.json();
      if (!reply.ok) { throw new Error(state.error || "The build was lost."); }
      bar.value = state.percent;
      if (state.state === "failed") { throw new Error(state.error); }
      if (state.state === "done") { return state; }
      say((state.stage ? state.stage[0].toUpperCase() + state.stage.slice(1) : "Waiting for a free worker") + "…");
      await new Promise(function (resolve) { setTimeout(resolve, 400); });
    }
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    button.disabled = true;
    result.hidden = true;
    bar.hidden = false;
    bar.value = 0;
    say("Uploading…");
    try {
      const reply = await fetch("/builds", {method: "POST", body: new FormData(form), credentials: "same-origin"});
      const sent = await reply.json().catch(function () { return {error: "The server refused the upload (" + reply.status + ")."}; });
      if (!reply.ok) { throw new Error(sent.error); }
      const done = await follow(sent.id);
      const memo = await fetch("/builds/" + sent.id + "/memo.html", {credentials: "same-origin"});
      // The memo's HTML is memo's own writer's: every piece of source text in it is escaped.
      document.getElementById("memo").innerHTML = await memo.text();
      for (const kind of ["docx", "md", "json"]) {
        document.getElementById("download-" + kind).href = done.downloads[kind];
      }
      result.hidden = false;
      say("Done: the memo is below; each footnote number shows its source sentence on hover and links to it.");
    } catch (error) {
      bar.hidden = true;
      say(error.message, true);
    } finally {
      button.disabled = false;
    }
  });
})();
