require ["include"];
include :once "a";
include :once "a";
