require "imap4flags";
addflag "\\Flagged";
setflag "\\Answered";
