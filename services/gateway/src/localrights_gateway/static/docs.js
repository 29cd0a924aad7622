/* Starts Swagger UI on /docs (no inline script: the page's policy allows scripts from here only). */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") { return; }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    oauth2RedirectUrl: window.location.origin + root.getAttribute("data-oauth2-redirect-url"),
    dom_id: "#swagger-ui",
    // Deep links put a link inside each operation's button (nested controls): left out.
    deepLinking: false,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // No call to the public validator service: the page talks to this platform only.
    validatorUrl: null,
    persistAuthorization: false,
    tryItOutEnabled: false
  });
}());
