// Forms the same way on every page: the browser's own validation is off (`novalidate`),
// errors are shown in an error summary at the top of the form (role="alert", focused, a
// link to each field) and next to each field (aria-invalid, aria-describedby); the submit
// button shows that the form is busy.
//
//   bindForm(form, async (values) => { await api(...); });
//
// A field's API name is its `name` attribute, so `error.fields.password` lands on
// <input name="password">. Client-side checks: `required` (message in
// data-required-message) before anything is sent.

import { ApiError } from './api.js';

const SUMMARY_TITLE = 'Popraw poniższe błędy';
const BUSY_TEXT = 'Trwa wysyłanie…';

function fieldOf(form, name) {
  const field = form.elements.namedItem(name);
  return field instanceof RadioNodeList ? field[0] : field;
}

function summaryOf(form) {
  let summary = form.querySelector('.error-summary');
  if (!summary) {
    summary = document.createElement('div');
    summary.className = 'error-summary';
    summary.setAttribute('role', 'alert');
    summary.tabIndex = -1;
    summary.hidden = true;
    form.prepend(summary);
  }
  return summary;
}

/** Remove every message of a previous attempt. */
export function clearErrors(form) {
  const summary = summaryOf(form);
  summary.hidden = true;
  summary.replaceChildren();
  for (const message of form.querySelectorAll('.field-error')) {
    const field = form.querySelector(`[aria-describedby~="${message.id}"]`);
    if (field) {
      const rest = field.getAttribute('aria-describedby').split(' ').filter((id) => id !== message.id);
      if (rest.length) field.setAttribute('aria-describedby', rest.join(' '));
      else field.removeAttribute('aria-describedby');
      field.removeAttribute('aria-invalid');
    }
    message.remove();
  }
}

/** Show a message next to a field: linked by aria-describedby, field marked invalid. */
export function showFieldError(form, name, text) {
  const field = fieldOf(form, name);
  if (!field || !field.id) return null;
  const message = document.createElement('p');
  message.className = 'field-error';
  message.id = `${field.id}-error`;
  message.textContent = text;
  const anchor = field.closest('.field') || field;
  const hint = anchor.querySelector('label') || anchor;
  hint.after(message);
  field.setAttribute('aria-invalid', 'true');
  const described = (field.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
  field.setAttribute('aria-describedby', [...described, message.id].join(' '));
  return field;
}

/**
 * Show errors: `errors` is {field name: message} and `general` a message for the whole
 * form. Fields get their messages; the summary lists every message (linking to its field)
 * and takes the focus, so it is read out.
 */
export function showErrors(form, errors = {}, general = '') {
  clearErrors(form);
  const summary = summaryOf(form);
  const title = document.createElement('h2');
  title.textContent = SUMMARY_TITLE;
  const list = document.createElement('ul');
  if (general) {
    const item = document.createElement('li');
    item.textContent = general;
    list.append(item);
  }
  for (const [name, text] of Object.entries(errors)) {
    const field = showFieldError(form, name, text);
    const item = document.createElement('li');
    if (field) {
      const link = document.createElement('a');
      link.href = `#${field.id}`;
      link.textContent = text;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        field.focus();
      });
      item.append(link);
    } else {
      item.textContent = text;
    }
    list.append(item);
  }
  summary.replaceChildren(title, list);
  summary.hidden = false;
  summary.focus();
}

/** Show an API error: field messages where it names fields, its message in the summary. */
export function showApiError(form, error) {
  if (error instanceof ApiError) {
    // A validation error's fields say it all; any other error's message comes first, with
    // only the fields that are on this form.
    if (error.code === 'invalid_input' && Object.keys(error.fields).length) {
      showErrors(form, error.fields);
    } else {
      const onForm = Object.entries(error.fields).filter(([name]) => fieldOf(form, name));
      showErrors(form, Object.fromEntries(onForm), error.message);
    }
  } else {
    showErrors(form, {}, 'Coś poszło nie tak. Odśwież stronę i spróbuj ponownie.');
    throw error;
  }
}

/** Required fields left empty, as {name: message}. */
export function missingFields(form) {
  const missing = {};
  for (const field of form.querySelectorAll('[required]')) {
    const empty = field.type === 'checkbox' ? !field.checked : !field.value.trim();
    if (empty) missing[field.name] = field.dataset.requiredMessage || 'To pole jest wymagane.';
  }
  return missing;
}

/** Mark the form busy (the submit button says so and ignores clicks) or not. */
export function setBusy(form, busy) {
  form.setAttribute('aria-busy', String(busy));
  for (const button of form.querySelectorAll('button[type="submit"]')) {
    if (busy) {
      button.dataset.label = button.textContent;
      button.textContent = BUSY_TEXT;
      button.setAttribute('aria-disabled', 'true');
    } else {
      if (button.dataset.label) button.textContent = button.dataset.label;
      button.removeAttribute('aria-disabled');
    }
  }
}

/** The form's values by field name (checkboxes as booleans). */
export function valuesOf(form) {
  const values = {};
  for (const field of form.elements) {
    if (!field.name || field.type === 'submit') continue;
    values[field.name] = field.type === 'checkbox' ? field.checked : field.value;
  }
  return values;
}

/**
 * Wire a form: check required fields, then `submit(values)` while busy; an ApiError it
 * throws is shown (fields and summary). Returns nothing; `submit` does what success means.
 */
export function bindForm(form, submit) {
  form.noValidate = true;
  summaryOf(form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    const missing = missingFields(form);
    if (Object.keys(missing).length) {
      showErrors(form, missing);
      return;
    }
    clearErrors(form);
    setBusy(form, true);
    try {
      await submit(valuesOf(form));
    } catch (error) {
      showApiError(form, error);
    } finally {
      setBusy(form, false);
    }
  });
}

/** Put a status message in a live region (role="status"), e.g. "Zapisano.". */
export function showStatus(region, text) {
  region.textContent = text;
  region.hidden = !text;
}
