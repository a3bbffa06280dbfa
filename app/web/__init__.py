"""The pages people look at: the seeker's phone app (/app) and the bureau's and stations' dashboard
(/dashboard). Plain HTML, CSS and JavaScript served by the API's own process; every word comes from a
message catalogue in i18n/, so a new language is a new catalogue file."""
