// Starts GOV.UK Frontend's components. A file rather than an inline script, so that the
// Content-Security-Policy can forbid inline script altogether.
import { initAll } from '/static/govuk-frontend/govuk-frontend.min.js'

// What GOV.UK's base template would do inline: this module only runs where ES modules
// are supported, which is what `govuk-frontend-supported` means.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
