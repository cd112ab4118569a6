/*
 * Coalition — progressive enhancement only. Every page works without this file.
 *
 *  - html.no-js → html.js, so `.js-hide` fallbacks (e.g. the language "Change" button) disappear.
 *  - <select data-autosubmit>: submits its form on change.
 *  - <form data-confirm="Really?"> / <button data-confirm="…">: asks before submitting.
 *  - <input data-similar-url="/grievances/similar/">: while the user types a title, fetches
 *    url?title=…&platform=… (a JSON list of {title, url, member_count}, or {results: […]}) and
 *    renders it into the [data-similar-target] element (data-similar-target="#id" on the input
 *    picks a specific one). The target may carry data-heading="…" and data-members="%s members"
 *    for translated text; the platform comes from the form's [name=platform] field.
 *  - .messages .alert: adds a close button.
 *  - <input data-browser-time-zone>: filled with the browser's time zone (sign-up), so a new
 *    account shows deadlines in the seller's own time from the first page.
 *  - <input data-select-on-focus>: selects its text when focused (a link to copy). There is no
 *    inline script or event handler anywhere: production's Content-Security-Policy forbids them.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var self = this;
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () {
        fn.apply(self, args);
      }, wait);
    };
  }

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  /* --- auto-submitting selects (language switcher) ----------------------------------------- */
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      if (select.form.requestSubmit) {
        select.form.requestSubmit();
      } else {
        select.form.submit();
      }
    }
  });

  /* --- the browser's time zone (sign-up) ------------------------------------------------------- */
  onReady(function () {
    var zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      zone = "";
    }
    document.querySelectorAll("input[data-browser-time-zone]").forEach(function (input) {
      if (!input.value && zone) {
        input.value = zone;
      }
    });
  });

  /* --- select on focus (share links) ---------------------------------------------------------- */
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[data-select-on-focus]")) {
      input.select();
    }
  });

  /* --- confirmations -------------------------------------------------------------------------- */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message =
      (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  /* --- similar grievances --------------------------------------------------------------------- */
  function findTarget(input) {
    var selector = input.getAttribute("data-similar-target");
    if (selector) {
      return document.querySelector(selector);
    }
    return (
      (input.form && input.form.querySelector("[data-similar-target]")) ||
      document.querySelector("[data-similar-target]:not(input)")
    );
  }

  function platformValue(input) {
    var selector = input.getAttribute("data-similar-platform");
    var field = selector
      ? document.querySelector(selector)
      : input.form && input.form.elements.namedItem("platform");
    // A <select>, an <input> or a RadioNodeList: all expose the chosen value as .value.
    return field && field.value ? field.value : "";
  }

  function renderSimilar(target, items) {
    target.textContent = "";
    if (!items.length) {
      return;
    }
    var box = document.createElement("div");
    box.className = "similar-box";
    var title = document.createElement("p");
    title.className = "similar-title";
    title.textContent =
      target.getAttribute("data-heading") ||
      "Similar grievances are already open — joining one makes it stronger:";
    box.appendChild(title);

    var list = document.createElement("ul");
    list.className = "similar-list";
    var membersText = target.getAttribute("data-members") || "%s members";
    items.slice(0, 5).forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      li.appendChild(link);
      if (item.member_count !== undefined && item.member_count !== null) {
        var count = document.createElement("span");
        count.className = "similar-count";
        count.textContent = membersText.replace("%s", item.member_count);
        li.appendChild(count);
      }
      list.appendChild(li);
    });
    box.appendChild(list);
    target.appendChild(box);
  }

  function setupSimilar(input) {
    var url = input.getAttribute("data-similar-url");
    var target = findTarget(input);
    if (!url || !target || !window.fetch) {
      return;
    }
    target.setAttribute("aria-live", "polite");
    var controller = null;
    var lastQuery = null;

    var lookup = debounce(function () {
      var title = input.value.trim();
      var platform = platformValue(input);
      var query = title + "\u0000" + platform;
      if (query === lastQuery) {
        return;
      }
      lastQuery = query;
      if (title.length < 3) {
        target.textContent = "";
        return;
      }
      if (controller && controller.abort) {
        controller.abort();
      }
      controller = window.AbortController ? new AbortController() : null;
      var full = new URL(url, window.location.href);
      full.searchParams.set("title", title);
      if (platform) {
        full.searchParams.set("platform", platform);
      }
      fetch(full.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (data) {
          var items = Array.isArray(data) ? data : (data && data.results) || [];
          renderSimilar(target, items);
        })
        .catch(function () {
          /* aborted or offline: the form still works without suggestions */
        });
    }, 350);

    input.addEventListener("input", lookup);
    if (input.form) {
      input.form.addEventListener("change", function (event) {
        if (event.target.name === "platform") {
          lookup();
        }
      });
    }
  }

  /* --- dismissible messages -------------------------------------------------------------- */
  function setupDismiss(alert) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "alert-close";
    button.setAttribute("aria-label", document.documentElement.lang.indexOf("zh") === 0 ? "关闭" : "Dismiss");
    button.innerHTML = "&times;";
    button.addEventListener("click", function () {
      alert.remove();
    });
    alert.appendChild(button);
  }

  onReady(function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-similar-url]"), setupSimilar);
    Array.prototype.forEach.call(document.querySelectorAll(".messages .alert"), setupDismiss);
  });

  window.Coalition = { debounce: debounce };
})();

// Anonymous visitors see dates in their own time zone: remember the browser's zone in a cookie
// that the server reads (coalition/middleware.py). Signed-in sellers use their saved preference.
(function () {
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* old browser: dates stay in UTC */ }
})();
