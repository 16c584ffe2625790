require "reject";
reject text:
abc
. 
;
