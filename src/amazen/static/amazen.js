// Progressive enhancement only: every feature here also works through links and forms without it.
// 1. Search boxes with data-complete: completions from /api/suggest/complete in their <datalist>.
// 2. The results page: suggested descriptors follow the query as it is typed.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }

  function autocomplete(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var latest = 0;
    input.addEventListener("input", debounce(function () {
      var asked = ++latest;
      getJSON(input.dataset.complete + "?prefix=" + encodeURIComponent(input.value)).then(function (data) {
        if (asked !== latest) { return; }  // an older answer arriving late
        list.replaceChildren.apply(list, data.completions.map(function (c) {
          var option = document.createElement("option");
          option.value = c.text;
          return option;
        }));
      }).catch(function () { list.replaceChildren(); });
    }, 120));
  }

  function liveSuggestions(section, input) {
    var list = section.querySelector("ul");
    var latest = 0;
    function link(params, label, title) {
      var a = document.createElement("a");
      a.href = "?" + params.toString();
      a.textContent = label;
      a.title = title;
      return a;
    }
    input.addEventListener("input", debounce(function () {
      var state = new URLSearchParams(window.location.search);
      state.set("q", input.value);
      state.delete("page");
      var asked = ++latest;
      getJSON(section.dataset.api + "?" + state.toString()).then(function (data) {
        if (asked !== latest) { return; }
        list.replaceChildren.apply(list, data.suggestions.map(function (s) {
          var item = document.createElement("li");
          item.className = "chip suggestion";
          [["pos", "+ " + s.descriptor, "Want reviews that say " + s.descriptor],
           ["neg", "\u2212", "Avoid " + s.descriptor],
           ["dismissed", "\u00d7", "Don\u2019t suggest " + s.descriptor]].forEach(function (spec) {
            var params = new URLSearchParams(state.toString());
            params.append(spec[0], s.descriptor);
            item.appendChild(link(params, spec[1], spec[2]));
          });
          return item;
        }));
        section.hidden = data.suggestions.length === 0;
      }).catch(function () { /* keep the suggestions the page came with */ });
    }, 300));
  }

  document.querySelectorAll("input[data-complete]").forEach(autocomplete);
  var section = document.querySelector(".suggestions[data-api]");
  var query = document.getElementById("q");
  if (section && query) { liveSuggestions(section, query); }
})();
