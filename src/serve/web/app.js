// The workbench's few behaviours: upload the chosen files with progress,
// follow an analysis, sort tables. No library, nothing from another host.
"use strict";

function putFile(kind, file, bar) {
  return new Promise(function (resolve, reject) {
    var xhr = new XMLHttpRequest();
    xhr.open("PUT", "/upload/" + kind);
    xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { bar.hidden = false; bar.value = Math.round(100 * e.loaded / e.total); }
    };
    xhr.onload = function () {
      if (xhr.status === 200) { resolve(xhr.responseText); return; }
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var text = Array.prototype.map.call(doc.querySelectorAll("main p, h1"), function (p) { return p.textContent; })
        .filter(function (t) { return t.indexOf("返回") < 0; }).join(" ");
      reject(new Error(text || ("上传失败（" + xhr.status + "）")));
    };
    xhr.onerror = function () { reject(new Error("上传失败：工作台没有响应，请确认命令行窗口仍在运行")); };
    xhr.send(file);
  });
}

function setupLoad() {
  var form = document.getElementById("load");
  if (!form) return;
  var msg = document.getElementById("upload-msg");
  Array.prototype.forEach.call(document.querySelectorAll(".drop"), function (drop) {
    var input = drop.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      drop.addEventListener(t, function () { drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer.files.length) { input.files = e.dataTransfer.files; input.dispatchEvent(new Event("change")); }
    });
    input.addEventListener("change", function () {
      if (input.files.length) drop.querySelector(".current").textContent = "已选择：" + input.files[0].name;
    });
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var button = document.getElementById("start");
    var inputs = Array.prototype.filter.call(form.querySelectorAll("input[type=file]"), function (i) { return i.files.length; });
    var ledgerKnown = document.getElementById("current-ledger").textContent.indexOf("已上传") === 0;
    var maxBytes = Number(form.dataset.maxMb) * 1048576;
    var big = inputs.filter(function (i) { return i.files[0].size > maxBytes; });
    if (big.length) {
      msg.className = "msg bad";
      msg.textContent = "“" + big[0].files[0].name + "”超过上传上限 " + form.dataset.maxMb + " MB：可在启动时用 --max-upload-mb 调整上限，或拆分文件。";
      return;
    }
    if (!ledgerKnown && !inputs.some(function (i) { return i.dataset.kind === "ledger"; })) {
      msg.className = "msg bad"; msg.textContent = "请先选择案件台账文件"; return;
    }
    button.disabled = true;
    msg.className = "msg"; msg.textContent = "正在上传……";
    var chain = Promise.resolve();
    inputs.forEach(function (i) {
      chain = chain.then(function () {
        return putFile(i.dataset.kind, i.files[0], i.closest(".drop").querySelector("progress"));
      }).then(function (text) { msg.textContent = text; });
    });
    chain.then(function () { msg.textContent = "上传完成，开始分析……"; form.submit(); })
      .catch(function (err) { msg.className = "msg bad"; msg.textContent = err.message; button.disabled = false; });
  });
}

function setupProgress() {
  var box = document.getElementById("progress");
  if (!box) return;
  function poll() {
    fetch("/status", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
      if (s.state === "running") {
        document.getElementById("stage").textContent = s.stage;
        document.getElementById("bar").value = s.percent;
        document.getElementById("percent").textContent = s.percent + "%";
        setTimeout(poll, 250);
      } else if (s.state === "done") {
        location.replace("/overview");
      } else {
        location.reload();
      }
    }).catch(function () { setTimeout(poll, 1000); });
  }
  poll();
}

function cellValue(row, i) {
  var t = row.cells[i] ? row.cells[i].textContent.trim() : "";
  var n = parseFloat(t.replace(/[,%件项个人]/g, ""));
  return { text: t, num: /^-?[\d.,]+%?$/.test(t) ? n : NaN };
}

function setupSort() {
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.title = "点击排序";
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, i), y = cellValue(b, i);
          var c = (!isNaN(x.num) && !isNaN(y.num)) ? x.num - y.num : x.text.localeCompare(y.text, "zh-CN");
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
}

function setupReports() {
  Array.prototype.forEach.call(document.querySelectorAll("form.make"), function (form) {
    form.addEventListener("submit", function () {
      var b = form.querySelector("button[type=submit]");
      // disabled after this event, so the form still submits once
      setTimeout(function () { b.disabled = true; b.textContent = "正在生成……"; }, 0);
    });
  });
}

document.addEventListener("DOMContentLoaded", function () { setupLoad(); setupProgress(); setupSort(); setupReports(); });
