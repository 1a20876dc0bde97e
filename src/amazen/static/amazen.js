// Amazen: progressive enhancement only. Without this file every feature works through links and forms.
// 1. Search boxes with data-complete: an ARIA combobox of completions (arrows, Enter, Escape, mouse).
// 2. A page's [data-live] region: its links and GET forms that lead to the same page fetch that page and
//    swap the region; the URL follows (history.pushState), back and forward work, loading shows
//    (aria-busy), a failure or a 15 s timeout shows an error with a retry link (never an endless spinner).
// 3. Compare: the button says how many products are ticked and is enabled at 2 to 4.
// 4. Images that fail to load show the placeholder; the filters fold away on narrow screens.
(function () {
  "use strict";
  var TIMEOUT_MS = 15000;
  var narrow = window.matchMedia("(max-width: 720px)");

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  // 1. Autocomplete ---------------------------------------------------------------------------
  function combobox(input) {
    if (input.getAttribute("role") === "combobox") { return; }
    var id = input.id + "-listbox", list = document.createElement("ul"), active = -1, latest = 0;
    list.id = id;
    list.className = "listbox";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.after(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);

    function options() { return list.querySelectorAll("[role=option]"); }
    function setActive(index) {
      active = index;
      options().forEach(function (option, i) { option.setAttribute("aria-selected", String(i === index)); });
      if (index < 0) { input.removeAttribute("aria-activedescendant"); return; }
      input.setAttribute("aria-activedescendant", options()[index].id);
      options()[index].scrollIntoView({ block: "nearest" });
    }
    function show(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", String(open));
      if (!open) { setActive(-1); }
    }
    function pick(option) {
      input.value = option.dataset.value;
      show(false);
      if (input.form) { input.form.requestSubmit(); }
    }
    input.addEventListener("input", debounce(function () {
      var asked = ++latest;
      if (!input.value.trim()) { show(false); return; }
      fetch(input.dataset.complete + "?prefix=" + encodeURIComponent(input.value), { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) {
          if (asked !== latest) { return; }  // an older answer arriving late
          list.replaceChildren.apply(list, data.completions.map(function (c, i) {
            var item = document.createElement("li"), count = document.createElement("span");
            item.id = id + "-" + i;
            item.setAttribute("role", "option");
            item.dataset.value = c.text;
            item.textContent = c.text + " ";
            count.className = "count";
            count.textContent = c.products + " product" + (c.products === 1 ? "" : "s");
            item.appendChild(count);
            return item;
          }));
          setActive(-1);  // the entries changed
          show(data.completions.length > 0 && document.activeElement === input);
        })
        .catch(function () { show(false); });
    }, 120));
    input.addEventListener("keydown", function (event) {
      var count = options().length;
      if ((event.key === "ArrowDown" || event.key === "ArrowUp") && count) {
        event.preventDefault();
        show(true);
        var next = active + (event.key === "ArrowDown" ? 1 : -1);
        setActive(next >= count ? 0 : next < 0 ? count - 1 : next);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        pick(options()[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();  // closes the list and keeps the text
        show(false);
      }
    });
    input.addEventListener("blur", function () { show(false); });
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      event.preventDefault();  // keep the focus in the box
      if (option) { pick(option); }
    });
  }

  // 2. Live regions ------------------------------------------------------------------------------
  var pending = null;

  function region() { return document.querySelector("[data-live]"); }
  function path(url) { return url.pathname.replace(/\/$/, ""); }
  function samePage(url) { return url.origin === location.origin && path(url) === path(location); }

  function showError(live, href, timedOut) {
    var box = document.createElement("p"), retry = document.createElement("a");
    box.className = "notice error live-error";
    box.setAttribute("role", "alert");
    box.textContent = (timedOut ? "This is taking too long. " : "Could not load the page. ") + "Check your connection and ";
    retry.href = href;
    retry.textContent = "try again";
    box.append(retry, ".");
    live.prepend(box);
    box.scrollIntoView({ block: "nearest" });
  }

  function swapped(fresh, href, focusId) {
    var hash = new URL(href).hash, anchor = hash && document.getElementById(decodeURIComponent(hash.slice(1)));
    var target = (focusId && document.getElementById(focusId)) || fresh.querySelector("[data-live-focus]");
    var said = fresh.querySelector("[data-live-announce]") || fresh.querySelector("[data-live-focus]");
    enhance(fresh);
    if (target) { target.focus({ preventScroll: true }); }
    if (anchor) { anchor.scrollIntoView(); } else if (fresh.getBoundingClientRect().top < 0) { fresh.scrollIntoView(); }
    document.getElementById("live-status").textContent = said ? said.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function navigate(href, push) {
    var live = region(), controller = new AbortController(), timedOut = false;
    var focusId = document.activeElement && live.contains(document.activeElement) ? document.activeElement.id : "";
    if (pending) { pending.abort(); }
    pending = controller;
    var timer = setTimeout(function () { timedOut = true; controller.abort(); }, TIMEOUT_MS);
    live.querySelectorAll(".live-error").forEach(function (old) { old.remove(); });
    live.setAttribute("aria-busy", "true");
    fetch(href, { signal: controller.signal, headers: { Accept: "text/html" } })
      .then(function (response) {
        // A 400 or 404 page is the server's answer: show it as a normal navigation would.
        if (!response.ok) { location.assign(href); return null; }
        return response.text();
      })
      .then(function (html) {
        if (html === null || controller !== pending) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html"), fresh = doc.getElementById(live.id);
        if (!fresh) { location.assign(href); return; }
        live.replaceWith(fresh);
        document.title = doc.title;
        if (push) { history.pushState({ live: true }, "", href); }
        swapped(fresh, href, focusId);
      })
      .catch(function () { if (controller === pending) { showError(live, href, timedOut); } })
      .finally(function () {
        clearTimeout(timer);
        if (controller === pending) { pending = null; live.removeAttribute("aria-busy"); }
      });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey ||
        !link || !link.closest("[data-live]") || link.target || link.hasAttribute("download")) { return; }
    var url = new URL(link.href, location.href);
    if (!samePage(url)) { return; }
    // A link to a place on this very page ("Edit" → #write-review) is the browser's to follow: fetching
    // the page again would replace what the shopper is typing in its forms.
    if (url.hash && url.search === location.search) { return; }
    event.preventDefault();
    navigate(url.href, true);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target, url = new URL(form.action, location.href), params = new URLSearchParams();
    if (event.defaultPrevented || form.method !== "get" || !form.closest("[data-live]") || !samePage(url)) { return; }
    event.preventDefault();
    new FormData(form).forEach(function (value, key) { if (String(value).trim()) { params.append(key, value); } });
    url.search = params.toString();
    navigate(url.href, true);
  });

  window.addEventListener("popstate", function (event) {
    if (event.state && event.state.live && region()) { navigate(location.href, false); }
  });

  // 3. Compare -------------------------------------------------------------------------------------
  function compare(form) {
    var boxes = document.querySelectorAll("input[type=checkbox][form=" + form.id + "]");
    var status = form.querySelector(".compare-status"), button = form.querySelector("button");
    function update() {
      var n = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
      button.disabled = n < 2 || n > 4;
      form.classList.toggle("has-selection", n > 0);
      status.textContent = n === 0 ? "Tick 2 to 4 products to compare them side by side."
        : n === 1 ? "1 product ticked: tick at least one more."
        : n <= 4 ? n + " products ticked." : n + " products ticked: compare at most 4.";
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
  }

  // 4. Images and filters -------------------------------------------------------------------------
  function fallback(img) {
    if (img.dataset.fallback && img.src !== img.dataset.fallback) {
      img.src = img.dataset.fallback;
      img.classList.add("placeholder");
    }
  }
  document.addEventListener("error", function (event) {
    if (event.target.tagName === "IMG") { fallback(event.target); }
  }, true);

  function enhance(root) {
    root.querySelectorAll("input[data-complete]").forEach(combobox);
    root.querySelectorAll("#compare-form").forEach(compare);
    root.querySelectorAll("img[data-fallback]").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0) { fallback(img); }  // failed before this script ran
    });
    if (narrow.matches) { root.querySelectorAll("details.facets[open]").forEach(function (d) { d.open = false; }); }
  }

  enhance(document);
  if (region()) { history.replaceState({ live: true }, "", location.href); }
})();
