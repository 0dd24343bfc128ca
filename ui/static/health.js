// The health banner asks the server every few seconds; when the server itself does not
// answer (the API process is down or the network is), say so in the same place.
document.addEventListener("htmx:sendError", (e) => {
  // The banner's own poll, or a step sent from the screen: either way the server is not
  // answering and the screen keeps what was typed (sent again, a step counts once).
  const banner = document.getElementById("health-banner");
  if (!banner) return;
  banner.classList.add("health-down");
  banner.innerHTML = "<p><strong>⚠ サーバーに接続できません</strong> / the server does not answer." +
    " 手続の送信はできません。入力内容はこの画面に残ります。</p>";
});
