if header :contains "subject" "${hex:41}" { keep; }
require "encoded-character";
