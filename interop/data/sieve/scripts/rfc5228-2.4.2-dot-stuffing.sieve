require "reject";
reject text:
..leading dot
.
;
