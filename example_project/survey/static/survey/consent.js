// The demo's cookie banner: the hook a real consent banner calls (docs/settings.md, "The
// monitoring code"). Consent is remembered in this browser; on each page it is known, the
// banner tells SALESmanago's monitoring code to start.
(function () {
  "use strict";
  var KEY = "demo-marketing-consent";
  var banner = document.getElementById("demo-consent");

  function agreed() {
    window.salesmanagoConsentGiven = true; // for the monitoring code if it has not run yet
    document.dispatchEvent(new Event("salesmanago:consent")); // if it has
    if (banner) {
      banner.hidden = true;
    }
  }

  function remembered() {
    try {
      return window.localStorage.getItem(KEY) === "yes";
    } catch (error) {
      return false; // storage turned off: ask on each page
    }
  }

  if (remembered()) {
    agreed();
  } else if (banner) {
    banner.hidden = false;
    banner.querySelector("button").addEventListener("click", function () {
      try {
        window.localStorage.setItem(KEY, "yes");
      } catch (error) {
        // not remembered: asked again on the next page
      }
      agreed();
    });
  }
})();
