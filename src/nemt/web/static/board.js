// The dispatch board keeps itself current without a full reload (nemt.web.page_dispatch). A static script from the
// app's own origin: the content-security policy (nemt.http.headers) allows no inline script.
//
// * Every data-poll-seconds it asks /dispatch/stamp whether the day changed (a stamp that reads no member data) and
//   only then fetches the board's live part (/dispatch/live) and swaps it in — unless the dispatcher is choosing in
//   one of its forms, when it waits for the next turn.
// * It pauses while the tab is hidden and asks again as soon as it is shown.
// * It stops once the dispatcher has not touched the page for data-idle-seconds (less a minute), so the polls do
//   not keep an unattended session alive: automatic logoff, 45 CFR 164.312(a)(2)(iii).
// * A scheduling job's progress (#job-progress) is polled every half second until it is finished; then the board
//   is loaded with its result.
(() => {
  "use strict";
  const board = document.getElementById("live-board");
  const job = document.getElementById("job-progress");
  let lastTouch = Date.now();
  for (const kind of ["keydown", "pointerdown", "scroll", "focusin"]) {
    document.addEventListener(kind, () => { lastTouch = Date.now(); }, { passive: true });
  }

  async function text(url) {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok || response.redirected) throw new Error(`${url}: ${response.status}`);
    return response.text();
  }

  if (job && job.dataset.state !== "done" && job.dataset.state !== "failed") {
    const follow = async () => {
      try {
        const html = await text(`/dispatch/jobs/${encodeURIComponent(job.dataset.job)}`);
        const next = new DOMParser().parseFromString(html, "text/html").getElementById("job-progress");
        if (next === null) return;
        job.querySelector("#job-message").textContent = next.querySelector("#job-message").textContent;
        job.querySelector("#job-percent").textContent = next.querySelector("#job-percent").textContent;
        job.querySelector("progress").value = Number(next.querySelector("progress").value);
        if (next.dataset.state === "done" || next.dataset.state === "failed") {
          window.location.assign(`/dispatch?day=${encodeURIComponent(job.dataset.day)}&job=${encodeURIComponent(job.dataset.job)}`);
          return;
        }
      } catch (error) {
        // a failed poll is tried again
      }
      window.setTimeout(follow, 500);
    };
    window.setTimeout(follow, 300);
  }

  if (board === null) return;
  const day = encodeURIComponent(board.dataset.day);
  const every = Math.max(1, Number(board.dataset.pollSeconds) || 10) * 1000;
  const idle = Math.max(60, (Number(board.dataset.idleSeconds) || 900) - 60) * 1000;
  const status = document.getElementById("board-updated");
  let timer = null;

  function choosing() {
    const active = document.activeElement;
    return active !== null && board.contains(active) && ["SELECT", "INPUT", "BUTTON"].includes(active.tagName);
  }

  async function poll() {
    timer = null;
    if (document.hidden) return; // resumed by visibilitychange
    if (Date.now() - lastTouch > idle) {
      if (status) status.textContent = "Automatic refresh paused: the page has not been used for a while. Reload to resume.";
      return;
    }
    try {
      const stamp = (await text(`/dispatch/stamp?day=${day}`)).trim();
      if (stamp !== board.dataset.stamp && !choosing()) {
        const html = await text(`/dispatch/live?day=${day}`);
        board.innerHTML = html;
        board.dataset.stamp = stamp;
        if (status) status.textContent = `Board updated at ${new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}.`;
      }
    } catch (error) {
      // signed out or the server is busy: try again at the next turn
    }
    schedule();
  }

  function schedule() {
    if (timer === null) timer = window.setTimeout(poll, every);
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer === null) {
      lastTouch = Date.now();
      timer = window.setTimeout(poll, 0);
    }
  });
  schedule();
})();
