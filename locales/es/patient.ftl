skip-to-content = Saltar al contenido
switch-label = Idioma
clinic-phone-label = Teléfono
cancelled-title = Esta consulta fue cancelada
cancelled-why = La clínica canceló la consulta de este enlace, así que su formulario está cerrado.
cancelled-what-now = Si cree que es un error, o para hacer una nueva cita, por favor comuníquese con la clínica.
verify-title = Confirme que es usted
verify-intro = Para proteger su información de salud, escriba su fecha de nacimiento.
date-of-birth = Fecha de nacimiento
continue-button = Continuar
unusable-title = Este enlace no se puede usar
unusable-why = Puede haber caducado, haber sido reemplazado por un enlace más nuevo o ya se usó para enviar sus respuestas.
unusable-what-now = Comuníquese con la clínica y pida un enlace nuevo.
locked-title = Este enlace está bloqueado
locked-why = La fecha de nacimiento se escribió mal demasiadas veces, así que bloqueamos este enlace para proteger su información.
locked-why-code = La fecha de nacimiento o el código se escribieron mal demasiadas veces, así que bloqueamos este enlace para proteger su información.
locked-what-now = Comuníquese con la clínica; le pueden enviar un enlace nuevo.
locked-call = Llame a la clínica al { $phone }; pueden desbloquear este enlace o enviarle uno nuevo.
too-many-title = Demasiados intentos
wait-minutes = { $minutes ->
        [1] Hubo demasiados intentos desde esta red. Espere un minuto e inténtelo de nuevo.
       *[other] Hubo demasiados intentos desde esta red. Espere { $minutes } minutos e inténtelo de nuevo.
    }
already-sent-title = Ya envió sus respuestas
already-sent-body = Gracias. La clínica tiene sus respuestas y las revisará antes de su visita. No hay nada más que hacer con este enlace.
done-title = Gracias: sus respuestas se enviaron
done-next = La clínica tiene sus respuestas y las revisará antes de su consulta.
done-closed = Puede cerrar esta página. Este enlace ya no abre el formulario.
sign-out = Cerrar sesión
signed-out-title = Cerró la sesión
signed-out-body = Sus respuestas están guardadas. Para continuar, abra de nuevo el enlace de su mensaje.
wrong-birth-date = { $remaining ->
        [1] Esa fecha de nacimiento no coincide con nuestros registros. Le queda 1 intento antes de que este enlace se bloquee.
       *[other] Esa fecha de nacimiento no coincide con nuestros registros. Le quedan { $remaining } intentos.
    }
birth-date-not-a-date = Escriba la fecha con día, mes y año.
birth-date-in-the-future = Una fecha de nacimiento no puede estar en el futuro.
birth-date-too-long-ago = Esa fecha es de hace más de 130 años.

## Las páginas del formulario

form-updated = Este formulario se actualizó después de que empezó. Sus respuestas se conservaron.
form-updated-check = Revise de nuevo estas páginas:
step-of = Paso { $step } de { $steps }
check-answers = { $count ->
        [one] Revise una respuesta, por favor
       *[other] Revise { $count } respuestas, por favor
    }
optional = (opcional)
one-per-line = Una por línea.
search-label = Buscar en la lista
search-label-change = Buscar otra respuesta
search-chosen = { $count ->
        [one] Su respuesta
       *[other] Sus respuestas
    }
search-hint-change = Para cambiarla, escriba una palabra de la respuesta que quiere y elija Buscar.
search-button = Buscar
search-hint = Escriba una palabra de su respuesta y elija Buscar.
search-none = Nada en la lista coincide con «{ $query }». Pruebe otra palabra o menos letras.
search-found = { $count ->
        [one] Una respuesta coincide con «{ $query }». Elíjala abajo.
       *[other] { $count } respuestas coinciden con «{ $query }». Elija una abajo.
    }
search-more = Estas son las primeras { $count } respuestas que coinciden con «{ $query }». Escriba más para acotarlas.
search-unavailable = El servicio de listas de la clínica no responde, así que estas coincidencias vienen de la lista guardada con este formulario.
search-server-down = El servicio de listas de la clínica no responde en este momento. Vuelva a pulsar Buscar dentro de un momento.
search-pick = Respuestas para elegir
asked-at-visit = La clínica le preguntará sobre esto en su consulta.
add-another = Añadir más
remove = Quitar
nothing-on-file = No tenemos nada de este tipo en su expediente.
review-answers = Revisar respuestas
next = Siguiente
back = Atrás
saved-as-you-go = Sus respuestas se guardan a medida que avanza.
date-day = Día
date-month = Mes
date-year = Año
date-hint = Por ejemplo, 27 3 1958
idle-warning = Para proteger su privacidad, esta página se cerrará en un minuto si no se queda. Sus respuestas están guardadas.
idle-stay = Quedarme en esta página
busy = Espere, por favor…
photo-sent = Se envió una foto. Para reemplazarla, elija otra.
photo-remove = Quitar esta foto
photo-sending = Enviando la foto…

## La revisión, la confirmación y la copia

check-title = Revise sus respuestas
questions-need-answers = { $count ->
        [one] Una pregunta necesita respuesta antes de enviar
       *[other] { $count } preguntas necesitan respuesta antes de enviar
    }
change = Cambiar
not-answered = Sin respuesta
send = Enviar mis respuestas
copy-link = Descargar o imprimir una copia de sus respuestas
copy-title = Una copia de sus respuestas
copy-print = Imprimir o guardar como PDF

## El código de un solo uso

code-title = Escriba su código
code-label = Código
code-sent-to = Enviamos un código de { $digits } dígitos a { $sent_to }. Escríbalo aquí; sirve durante { $minutes } minutos.
code-not-received = ¿No le llegó?
code-resend = Enviar un código nuevo
code-resent = Enviamos un código nuevo. El anterior ya no sirve.
code-not-sent = No pudimos enviar el código en este momento. Pida un código nuevo en un minuto.
code-no-more = No se pueden enviar más códigos para este enlace. Escriba el último código que enviamos o llame a la clínica.
code-wait = El código que enviamos todavía sirve. Puede pedir uno nuevo en { $seconds } segundos.
bad-code = Escriba los 6 dígitos del código.
wrong-code = { $remaining ->
        [1] Ese código no es correcto. Le queda 1 intento antes de que este enlace se bloquee.
       *[other] Ese código no es correcto. Le quedan { $remaining } intentos.
    }
code-expired = Ese código ya no sirve: caducó o ya se usó. Pida un código nuevo abajo.
call-clinic-title = Llame a la clínica, por favor
call-clinic-why = No podemos enviarle un código para terminar de confirmar que es usted.
call-clinic-what-now = Llame a la clínica; le pueden ayudar a empezar.
try-later-title = Inténtelo de nuevo pronto
try-later-why = No pudimos enviarle un código en este momento. Abra su enlace de nuevo en unos minutos.

## Firmas dibujadas
signature-sent = Se guardó su firma dibujada. Para reemplazarla, vuelva a dibujar.
signature-remove = Quitar la firma dibujada
signature-pad = Recuadro de firma: dibuje con el dedo o el ratón
signature-keyboard = ¿Usa un teclado o un lector de pantalla? No necesita dibujar: el nombre completo que escribió es su firma.
signature-clear = Borrar el dibujo
signature-cleared = Se borró el dibujo.
signature-drawn = Firma dibujada. Se envía al continuar.
signed-drawn = Firmado con su firma dibujada y su nombre completo escrito.
signed-typed = Firmado al escribir su nombre completo.
