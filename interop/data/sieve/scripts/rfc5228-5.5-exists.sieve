if not exists ["From","Date"] { discard; }
if exists "X-Priority" { redirect "prio@example.net"; }
