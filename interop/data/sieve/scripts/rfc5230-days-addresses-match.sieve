require "vacation";
vacation :days 23 :addresses ["me@example.com"] "away";
