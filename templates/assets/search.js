/* The search page (only it loads this file): Pagefind's default UI in the page's language
   (it reads <html lang>), started with the query of the address (?q=, which the header's
   search box sends), each result's date labelled in the page's language.

   Accent-free search (bantin/search.py explains it): in a language marked data-accent-free,
   Pagefind indexed every article followed by a copy without accents, "đ" as "d", ASCII
   letters and digits in fullwidth forms ("Ｄｕｏｎｇ"). So:
   - toCopy: a query word typed without accents is written the same way, and finds
     "đường" as well as "Dương"; a word with accents is searched as typed;
   - restoreExcerpt: a result's text is then ORIGINAL + " " + COPY, both of the same
     length, and an excerpt cut from the copy is shown with the original's characters. */
(function () {
  "use strict";

  var root = document.getElementById("search");
  if (!root || typeof window.PagefindUI !== "function") {
    return;
  }
  var accentFree = root.hasAttribute("data-accent-free");
  var dateLabel = root.getAttribute("data-date-label");

  function fullwidth(text) {
    return text.replace(/[A-Za-z0-9]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) + 0xFEE0);
    });
  }

  function toCopy(term) {
    return term.split(/(\s+)/).map(function (word) {
      return /^[\x00-\x7F]*$/.test(word) ? fullwidth(word) : word;
    }).join("");
  }

  // Where the copy starts in a result's text, or -1 when the text has no copy.
  function copyStart(content) {
    var half = (content.length - 1) / 2;
    if (half < 1 || half !== Math.floor(half) || content.charAt(half) !== " ") {
      return -1;
    }
    for (var i = 0; i < half; i++) {
      var copied = content.charCodeAt(half + 1 + i);
      // The copy has the original's character, or an ASCII or fullwidth one in its place.
      if (copied !== content.charCodeAt(i) && copied > 0x7F && (copied < 0xFF01 || copied > 0xFF5E)) {
        return -1;
      }
    }
    return half + 1;
  }

  function restoreExcerpt(excerpt, content, start) {
    var template = document.createElement("template");
    template.innerHTML = excerpt;
    var at = content.indexOf(template.content.textContent);
    if (at < 0) {
      return excerpt;
    }
    var walker = document.createTreeWalker(template.content, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var text = "";
      for (var i = 0; i < node.data.length; i++, at++) {
        text += at >= start ? content.charAt(at - start) : node.data.charAt(i);
      }
      node.data = text;
    }
    return template.innerHTML;
  }

  function processResult(result) {
    var start = accentFree ? copyStart(result.content || "") : -1;
    if (start > 0) {
      result.excerpt = restoreExcerpt(result.excerpt, result.content, start);
      (result.sub_results || []).forEach(function (sub) {
        sub.excerpt = restoreExcerpt(sub.excerpt, result.content, start);
      });
    }
    if (result.meta && result.meta.date && dateLabel) {
      var meta = {};
      Object.keys(result.meta).forEach(function (key) {
        meta[key === "date" ? dateLabel : key] = result.meta[key];
      });
      result.meta = meta;
    }
    return result;
  }

  var query = new URLSearchParams(window.location.search).get("q");
  var ui = new window.PagefindUI({
    element: "#search",
    bundlePath: root.getAttribute("data-bundle-path"),
    baseUrl: root.getAttribute("data-base-url"),
    showImages: false,
    showSubResults: false,
    autofocus: !query,
    processTerm: accentFree ? toCopy : null,
    processResult: processResult
  });
  // Pagefind's box has only a placeholder and a title: give it a visible label and the hint.
  var input = root.querySelector(".pagefind-ui__search-input");
  if (input) {
    input.id = "search-input";
    input.setAttribute("aria-describedby", "search-hint");
    var label = document.createElement("label");
    label.className = "search-label";
    label.htmlFor = input.id;
    label.textContent = root.getAttribute("data-label");
    root.parentNode.insertBefore(label, root);
  }
  if (query) {
    ui.triggerSearch(query);
  }
})();
