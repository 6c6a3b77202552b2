/// The stylesheet and the one small script, served from memory: no build step, nothing to install.
enum WebAssets {
    static let css = """
    :root{--red:#dc2626;--amber:#d97706;--green:#059669;--blue:#2563eb;--ink:#111827;--muted:#6b7280;--line:#e5e7eb}
    *{box-sizing:border-box}body{margin:0;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#f9fafb}
    header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.6rem 1rem;background:#111827;color:#fff}
    header a{color:#d1d5db;text-decoration:none}header a.active,header a:hover{color:#fff;text-decoration:underline}
    .brand{font-weight:700;color:#fff!important}nav.main{display:flex;flex-wrap:wrap;gap:.3rem .9rem;flex:1}
    .who{display:flex;gap:.6rem;align-items:center}.who form{margin:0}.who button{background:none;border:1px solid #6b7280;color:#fff;border-radius:4px;padding:.1rem .5rem}
    main{padding:1rem;max-width:1200px;margin:0 auto}h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
    .periods{display:flex;flex-wrap:wrap;gap:.4rem;margin-bottom:1rem}.periods a{padding:.2rem .6rem;border:1px solid var(--line);border-radius:999px;background:#fff;color:var(--ink);text-decoration:none}
    .periods a.active{background:var(--blue);color:#fff;border-color:var(--blue)}
    .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:.8rem}
    .card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:.8rem}
    .card .big{font-size:1.5rem;font-weight:600}.muted{color:var(--muted)}.small{font-size:.85rem}
    table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);border-radius:8px;overflow:hidden}
    th,td{padding:.4rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}th{background:#f3f4f6;font-weight:600}
    td.num,th.num{text-align:right;white-space:nowrap}.scroll{overflow-x:auto}
    svg.bar{width:100%;height:10px;display:block;margin:.2rem 0}svg.chart{width:100%;max-height:260px}
    .overdue,.overdue td{background:#fee2e2;color:#991b1b}.due,.due td{background:#fef3c7;color:#92400e}
    .status-behind{color:var(--amber);font-weight:600}.status-on_track{color:var(--blue)}.status-ahead{color:var(--green);font-weight:600}
    .flag{color:var(--red)}.error{color:var(--red)}.notice{background:#ecfdf5;border:1px solid #a7f3d0;padding:.5rem;border-radius:6px}
    form.inline{display:flex;flex-wrap:wrap;gap:.3rem;align-items:center;margin:0}input,select,textarea,button{font:inherit}
    input,select,textarea{padding:.3rem;border:1px solid #d1d5db;border-radius:4px;max-width:100%}textarea{width:100%;min-height:16rem;font-family:monospace}
    button{padding:.3rem .7rem;border-radius:4px;border:1px solid var(--blue);background:var(--blue);color:#fff;cursor:pointer}
    button.reject{background:#fff;color:var(--red);border-color:var(--red)}
    body.login main{max-width:360px;margin:10vh auto}body.login label{display:block}body.login input{width:100%;margin:.3rem 0}
    .hint{font-size:.85rem;color:var(--muted)}footer{text-align:center;color:var(--muted);font-size:.8rem;padding:1rem}
    @media (max-width:640px){main{padding:.6rem}th,td{padding:.3rem}.hide-sm{display:none}h1{font-size:1.2rem}}
    """

    /// Live figures without a reload: every 5 s ask whether anything changed (`/ui/stamp`: the last
    /// event applied, plans and schemes); if so, fetch this page again and swap its `<main>` —
    /// unless the user is typing in a form on it.
    static let script = """
    (function () {
      var stamp = document.body.dataset.stamp;
      function busy() {
        var a = document.activeElement;
        return a && a.closest && a.closest('main') && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName);
      }
      function tick() {
        fetch('/ui/stamp', {credentials: 'same-origin', cache: 'no-store'})
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (body) {
            if (!body || body.stamp === stamp || busy()) return;
            return fetch(location.href, {credentials: 'same-origin', cache: 'no-store'})
              .then(function (r) { return r.ok ? r.text() : null; })
              .then(function (text) {
                if (!text) return;
                var fresh = new DOMParser().parseFromString(text, 'text/html').querySelector('main');
                if (!fresh) return;
                document.querySelector('main').replaceWith(fresh);
                stamp = body.stamp;
                document.body.dataset.stamp = stamp;
              });
          })
          .catch(function () {})
          .then(function () { setTimeout(tick, 5000); });
      }
      setTimeout(tick, 5000);
    })();
    """
}
