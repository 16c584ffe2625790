if exists ["X-Priority","X-Missing"] { discard; }
