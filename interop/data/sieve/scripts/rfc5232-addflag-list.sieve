require "imap4flags";
addflag ["\\Seen", "\\Flagged"];
addflag "\\Seen $Important";
