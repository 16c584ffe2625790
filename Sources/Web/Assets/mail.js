// Posta webmail: enhancements only; every page works without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var body = document.body;

  // "Select all" for the list's checkboxes.
  function wireSelectAll(root) {
    root.querySelectorAll("input[data-select-all]").forEach(function (all) {
      if (all.closest("label")) { all.closest("label").hidden = false; }
      all.addEventListener("change", function () {
        all.form.querySelectorAll('input[type="checkbox"][name="uid"]').forEach(function (box) { box.checked = all.checked; });
      });
    });
  }
  wireSelectAll(document);

  // Ask before destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // Keyboard shortcuts: j/k move in the list, Enter/o opens, x selects; elements with data-key
  // (r reply, a reply all, f forward, c compose, # delete, u back) are clicked.
  var current = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".message-row")); }
  function focusRow(index) {
    var list = rows();
    if (list.length === 0) { return; }
    current = Math.max(0, Math.min(list.length - 1, index));
    list.forEach(function (row, i) { row.classList.toggle("is-current", i === current); });
    var link = list[current].querySelector(".row-main");
    if (link) { link.focus(); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    var key = event.key;
    if (key === "j") { focusRow(current + 1); event.preventDefault(); return; }
    if (key === "k") { focusRow(current - 1); event.preventDefault(); return; }
    if ((key === "o" || key === "Enter") && current >= 0) {
      var row = rows()[current];
      if (row) { window.location.href = row.getAttribute("data-link"); event.preventDefault(); }
      return;
    }
    if (key === "x" && current >= 0) {
      var box = rows()[current].querySelector('input[name="uid"]');
      if (box) { box.checked = !box.checked; }
      return;
    }
    if (key === "#" && current >= 0) {
      var selected = rows()[current].querySelector('input[name="uid"]');
      if (selected) { selected.checked = true; }
    }
    var element = document.querySelector('[data-key="' + (key === "#" ? "\\#" : key) + '"]');
    if (element) { event.preventDefault(); element.click(); }
  });

  // New mail and changes made elsewhere (IMAP, another browser): the server says a folder
  // changed; the list and the folder counts are fetched again (only when nothing is selected,
  // so a selection in progress is not lost).
  var eventsURL = body.getAttribute("data-events");
  if (eventsURL && window.EventSource) {
    var source = new EventSource(eventsURL);
    var pending = false;
    source.addEventListener("change", function () {
      if (pending) { return; }
      pending = true;
      window.setTimeout(function () {
        pending = false;
        if (document.querySelector('input[name="uid"]:checked')) { return; }
        fetch(window.location.href, { credentials: "same-origin" }).then(function (response) {
          if (!response.ok) { return null; }
          return response.text();
        }).then(function (html) {
          if (!html) { return; }
          var page = new DOMParser().parseFromString(html, "text/html");
          ["folder-list", "mail-list"].forEach(function (id) {
            var fresh = page.getElementById(id);
            var old = document.getElementById(id);
            if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
          });
          var freshEmpty = page.querySelector(".list-form .empty");
          var oldEmpty = document.querySelector(".list-form .empty");
          var freshList = page.getElementById("mail-list");
          if (freshList && oldEmpty) { oldEmpty.replaceWith(document.importNode(freshList, true)); }
          if (freshEmpty && document.getElementById("mail-list") && !freshList) {
            document.getElementById("mail-list").replaceWith(document.importNode(freshEmpty, true));
          }
          var count = page.querySelector(".list-count");
          if (count && document.querySelector(".list-count")) { document.querySelector(".list-count").textContent = count.textContent; }
          document.title = page.title;
        }).catch(function () {});
      }, 300);
    });
  }

  // Compose: recipient completion, size check before uploading, draft auto-save.
  var form = document.querySelector("form.compose-form");
  if (!form) { return; }
  // A reply or forward: the caret goes to the top of the text, above the quote.
  var text = form.querySelector("#body");
  if (text && form.querySelector("#to").value) {
    text.focus();
    text.setSelectionRange(0, 0);
    text.scrollTop = 0;
  }
  var list = document.getElementById("recipients");
  form.querySelectorAll("input[data-complete]").forEach(function (input) {
    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var last = input.value.split(",").pop().trim();
        if (last.length < 2) { return; }
        fetch(input.getAttribute("data-complete") + "?q=" + encodeURIComponent(last), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (entries) {
            var prefix = input.value.lastIndexOf(",") >= 0 ? input.value.slice(0, input.value.lastIndexOf(",") + 1) + " " : "";
            list.textContent = "";
            entries.forEach(function (entry) {
              var option = document.createElement("option");
              option.value = prefix + (entry.name ? entry.name + " <" + entry.address + ">" : entry.address);
              list.appendChild(option);
            });
          }).catch(function () {});
      }, 200);
    });
  });

  var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
  var warning = form.querySelector(".size-warning");
  var files = form.querySelector('input[type="file"]');
  function tooLarge() {
    if (!maxBytes || !files) { return false; }
    var total = 0;
    Array.prototype.forEach.call(files.files, function (file) { total += file.size; });
    // Base64 makes attachments a third larger.
    if (total * 4 / 3 > maxBytes) {
      warning.textContent = "The attachments are " + (total / 1048576).toFixed(1) + " MB: this site accepts at most " +
        (maxBytes / 1048576 * 3 / 4).toFixed(1) + " MB of attachments per message. Remove some files.";
      warning.hidden = false;
      return true;
    }
    warning.hidden = true;
    return false;
  }
  if (files) { files.addEventListener("change", tooLarge); }
  form.addEventListener("submit", function (event) {
    if (tooLarge()) { event.preventDefault(); }
  });

  var interval = parseInt(form.getAttribute("data-autosave"), 10) || 0;
  var status = form.querySelector(".autosave-status");
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  if (interval > 0) {
    window.setInterval(function () {
      if (!dirty) { return; }
      dirty = false;
      var data = new FormData(form);
      data.delete("attach");
      data.set("action", "save");
      data.set("autosave", "1");
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin" }).then(function (response) {
        // Anything but the saved draft's state (an error page after a redirect, a refusal) changes nothing.
        if (!response.ok || response.redirected) { throw new Error(String(response.status)); }
        return response.text();
      }).then(function (fragment) {
        var state = document.getElementById("draft-state");
        var parsed = new DOMParser().parseFromString("<div>" + fragment + "</div>", "text/html");
        state.replaceChildren.apply(state, Array.prototype.slice.call(parsed.body.firstChild.childNodes).map(function (node) {
          return document.importNode(node, true);
        }));
        status.textContent = "Draft saved at " + new Date().toLocaleTimeString();
      }).catch(function () {
        dirty = true;
        status.textContent = "The draft could not be saved; trying again.";
      });
    }, interval * 1000);
  }
});
