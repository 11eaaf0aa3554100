/* The console's only script: the identity number's check character as you type (the same
   algorithms as src/domain/identity.rs; the server's answer is still the truth), and the
   applicant on file once the number is valid. ES3-style, so that older browsers run it; nothing
   here is needed for a form to work. */
(function () {
  var ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var ID_CHECK = "10X98765432";
  /* GB/T 2260 province-level codes (71 Taiwan, 81 Hong Kong, 82 Macao, 83 residence permits). */
  var PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83];
  var USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  var USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

  /* A real date from 1900-01-01 to today. */
  function birthDateOk(y, m, d) {
    var date = new Date(y, m - 1, d), now = new Date();
    if (date.getFullYear() !== y || date.getMonth() !== m - 1 || date.getDate() !== d) { return false; }
    if (y < 1900) { return false; }
    var today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    return date.getTime() <= today.getTime();
  }

  function knownProvince(code) {
    var i;
    for (i = 0; i < PROVINCES.length; i++) { if (PROVINCES[i] === code) { return true; } }
    return false;
  }

  /* "" when valid, else the reason (the server's wording). */
  function residentId(value) {
    if (/[^\x00-\x7F]/.test(value)) { return "含有不允许的字符"; }
    if (value.length !== 18) { return "应为18位（现为" + value.length + "位）"; }
    var sum = 0, i;
    for (i = 0; i < 17; i++) {
      var c = value.charAt(i);
      if (c < "0" || c > "9") { return "含有不允许的字符"; }
      sum += (c.charCodeAt(0) - 48) * ID_WEIGHTS[i];
    }
    var last = value.charAt(17);
    if (!((last >= "0" && last <= "9") || last === "X")) { return "含有不允许的字符"; }
    if (!knownProvince(parseInt(value.substr(0, 2), 10))) { return "第1至2位不是有效的省级行政区划代码"; }
    if (!birthDateOk(parseInt(value.substr(6, 4), 10), parseInt(value.substr(10, 2), 10), parseInt(value.substr(12, 2), 10))) {
      return "第7至14位的出生日期不是1900年以后、今天以前的有效日期";
    }
    if (ID_CHECK.charAt(sum % 11) !== last) { return "校验码（最后一位）不正确，应为 " + ID_CHECK.charAt(sum % 11); }
    return "";
  }

  function creditCode(value) {
    if (/[^\x00-\x7F]/.test(value)) { return "含有不允许的字符"; }
    if (value.length !== 18) { return "应为18位（现为" + value.length + "位）"; }
    var sum = 0, i;
    for (i = 0; i < 17; i++) {
      var v = USCC_CHARS.indexOf(value.charAt(i));
      if (v < 0) { return "含有不允许的字符"; }
      sum += v * USCC_WEIGHTS[i];
    }
    var check = USCC_CHARS.indexOf(value.charAt(17));
    if (check < 0) { return "含有不允许的字符"; }
    var expected = (31 - sum % 31) % 31;
    if (expected !== check) { return "校验码（最后一位）不正确，应为 " + USCC_CHARS.charAt(expected); }
    return "";
  }

  /* For the browser tests, which compare these answers with the server's. */
  window.gongkaiIdentity = { residentId: residentId, creditCode: creditCode };

  function byId(id) { return document.getElementById(id); }

  function kindOf(category, idType) {
    if (idType === "other") { return ""; }
    if (idType === "resident_id_card") { return "resident"; }
    if (idType === "unified_social_credit_code") { return "uscc"; }
    return category === "natural_person" ? "resident" : "uscc";
  }

  function check() {
    var input = byId("f-applicant-id_number"), out = byId("id-check");
    if (!input || !out) { return; }
    var value = input.value.replace(/^\s+|\s+$/g, "").toUpperCase();
    var category = byId("f-applicant-category"), idType = byId("f-applicant-id_type");
    var kind = kindOf(category ? category.value : "", idType ? idType.value : "");
    if (value === "" || kind === "") { out.innerHTML = ""; out.className = "hint"; return; }
    var reason = kind === "resident" ? residentId(value) : creditCode(value);
    var what = kind === "resident" ? "居民身份证号码" : "统一社会信用代码";
    out.className = reason ? "hint check-bad" : "hint check-ok";
    out.innerHTML = "";
    out.appendChild(document.createTextNode(reason ? what + reason : "校验码正确（" + what + "）"));
    if (!reason) { lookUp(value, idType && idType.value ? idType.value : (kind === "resident" ? "resident_id_card" : "unified_social_credit_code")); }
  }

  /* An applicant on file: the server answers with the earlier requests the user may see (a piece
     of the page, rendered and escaped there), shown under the number. */
  var lastLookUp = "";
  function lookUp(number, idType) {
    var box = byId("on-file"), key = idType + ":" + number;
    if (!box || key === lastLookUp || !window.XMLHttpRequest) { return; }
    lastLookUp = key;
    var xhr = new XMLHttpRequest();
    xhr.open("GET", "/intake/applicant?id_type=" + encodeURIComponent(idType) + "&id_number=" + encodeURIComponent(number), true);
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4 || key !== lastLookUp) { return; }
      box.innerHTML = xhr.status === 200 ? xhr.responseText : "";
    };
    xhr.send(null);
  }

  /* 沿用: copy the particulars of the applicant's latest request into the empty fields. */
  function fillFrom(button) {
    var pairs = [["data-name", "f-applicant-name"], ["data-phone", "f-applicant-phone"],
      ["data-email", "f-applicant-email"], ["data-address", "f-applicant-address"]], i;
    for (i = 0; i < pairs.length; i++) {
      var value = button.getAttribute(pairs[i][0]), field = byId(pairs[i][1]);
      if (field && value) { field.value = value; }
    }
  }

  function onClick(event) {
    var e = event || window.event, target = e.target || e.srcElement;
    if (target && target.getAttribute && target.getAttribute("data-fill-applicant") !== null) { fillFrom(target); }
  }

  function listen(id, events) {
    var el = byId(id), i;
    if (!el) { return; }
    for (i = 0; i < events.length; i++) {
      if (el.addEventListener) { el.addEventListener(events[i], check, false); }
      else if (el.attachEvent) { el.attachEvent("on" + events[i], check); }
    }
  }

  function start() {
    var box = byId("on-file");
    if (box) {
      if (box.addEventListener) { box.addEventListener("click", onClick, false); }
      else if (box.attachEvent) { box.attachEvent("onclick", onClick); }
    }
    listen("f-applicant-id_number", ["input", "keyup", "change"]);
    listen("f-applicant-category", ["change"]);
    listen("f-applicant-id_type", ["change"]);
    if (byId("f-applicant-id_number") && byId("f-applicant-id_number").value) { check(); }
  }

  if (document.readyState === "loading" && document.addEventListener) {
    document.addEventListener("DOMContentLoaded", start, false);
  } else {
    start();
  }
})();
