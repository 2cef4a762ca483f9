// SALESmanago's monitoring code (sm.js), as SALESmanago's WordPress plugin renders it inline
// (MonitCodeModel): here from a static file, so that a page needs no inline script. Its settings
// come from the <script> tag's data attributes ({% salesmanago_monitoring_code %}).
//
// With data-wait-for-consent it starts only when the site's cookie banner says the visitor
// agreed, on every page where consent is known, whether this script has run yet or not:
//     window.salesmanagoConsentGiven = true;
//     document.dispatchEvent(new Event("salesmanago:consent"));
(function () {
  "use strict";
  var tag = document.currentScript;
  if (!tag) {
    return;
  }
  var data = tag.dataset;
  if (!data.clientId || !data.endpoint) {
    return; // not the tag's own attributes (a bundler moved this file?): nothing to start
  }

  function load(src) {
    var script = document.createElement("script");
    script.async = true;
    script.src = src;
    if (tag.nonce) {
      script.nonce = tag.nonce;
    }
    document.head.appendChild(script);
  }

  function start() {
    if (window.SalesmanagoObject) {
      return; // once per page
    }
    window._smid = data.clientId;
    if (data.cookieDays) {
      window._smclt = parseInt(data.cookieDays, 10);
    }
    window.SalesmanagoObject = "sm";
    window.sm = window.sm || function () {
      (window.sm.q = window.sm.q || []).push(arguments);
    };
    load(data.endpoint + "/static/sm.js");
    if ("popups" in data) {
      load(data.endpoint + "/dynamic/" + encodeURIComponent(data.clientId) + "/popups.js");
    }
  }

  if ("waitForConsent" in data && window.salesmanagoConsentGiven !== true) {
    document.addEventListener("salesmanago:consent", start);
  } else {
    start();
  }
})();
