require "imap4flags";
addflag ["\\Seen", "\\Flagged", "Junk"];
removeflag "\\flagged";
