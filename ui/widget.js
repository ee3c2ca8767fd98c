/* Cooperative-news assistant widget. Add to an intranet page:
 *   <script src="http://HOST:PORT/widget.js" defer></script>
 * Options (data- attributes on that script tag):
 *   data-title="دستیار خبر تعاون"  data-position="left|right" (default left)  data-color="#1d4ed8"
 *   data-token="…"  (only when the server has an access token; see the README)
 * It adds a floating button that opens a compact chat: an iframe of {server}/widget/.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__taavonWidget) { return; }
  window.__taavonWidget = true;
  var base = new URL(script.src, document.baseURI);
  var server = base.origin + base.pathname.replace(/widget\.js$/, "");
  var title = script.getAttribute("data-title") || "دستیار خبر تعاون";
  var side = script.getAttribute("data-position") === "right" ? "right" : "left";
  var color = script.getAttribute("data-color") || "#1d4ed8";
  if (!/^#[0-9a-fA-F]{3,8}$|^[a-zA-Z]+$/.test(color)) { color = "#1d4ed8"; }
  var token = script.getAttribute("data-token");
  var src = server + "widget/" + (token ? "?token=" + encodeURIComponent(token) : "");

  var button = document.createElement("button");
  button.type = "button";
  button.id = "taavon-widget-button";
  button.setAttribute("aria-label", title);
  button.title = title;
  button.textContent = "؟";
  button.style.cssText = "position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;width:56px;height:56px;" +
    "border-radius:50%;border:none;cursor:pointer;font-size:26px;color:#fff;box-shadow:0 4px 12px rgba(0,0,0,.25);" +
    "background:" + color + ";";

  var panel = document.createElement("div");
  panel.id = "taavon-widget-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  panel.dir = "rtl";
  panel.style.cssText = "position:fixed;bottom:88px;" + side + ":20px;z-index:2147483000;width:380px;max-width:calc(100vw - 40px);" +
    "height:560px;max-height:calc(100vh - 120px);display:none;flex-direction:column;background:#fff;border-radius:12px;" +
    "overflow:hidden;box-shadow:0 8px 28px rgba(0,0,0,.3);";
  var header = document.createElement("div");
  header.style.cssText = "background:" + color + ";color:#fff;padding:8px 12px;font:bold 15px Tahoma,sans-serif;" +
    "display:flex;justify-content:space-between;align-items:center;";
  var label = document.createElement("span");
  label.textContent = title;
  var close = document.createElement("button");
  close.type = "button";
  close.textContent = "×";
  close.setAttribute("aria-label", "بستن");
  close.style.cssText = "background:none;border:none;color:#fff;font-size:20px;cursor:pointer;";
  header.appendChild(label);
  header.appendChild(close);
  panel.appendChild(header);
  var frame = null;

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "taavon-widget-frame";
      frame.title = title;
      frame.src = src;
      frame.style.cssText = "border:none;width:100%;flex:1;";
      panel.appendChild(frame);
    }
    panel.style.display = "flex";
  }
  function toggle() { if (panel.style.display === "flex") { panel.style.display = "none"; } else { open(); } }
  button.addEventListener("click", toggle);
  close.addEventListener("click", function () { panel.style.display = "none"; });
  document.body.appendChild(panel);
  document.body.appendChild(button);
})();
