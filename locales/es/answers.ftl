## Lo escrito que no es una respuesta

input-only-one = Elija solo una respuesta.
input-yes-or-no = Elija sí o no.
input-whole-number = Escriba un número entero, como 3.
input-number = Escriba un número, como 72,5.
input-date = Escriba una fecha con día, mes y año.
input-date-time = Escriba una fecha y una hora.
input-time = Escriba una hora como 14:30.
input-too-long = Esta respuesta es demasiado larga; acórtela, por favor.
input-web-address = Escriba una dirección web que empiece por https://.
input-not-listed = Elija una de las respuestas de la lista.
input-not-answerable = Esta pregunta no se puede contestar aquí.
input-control-character = Esta respuesta tiene un carácter que no se puede guardar (un carácter de control); escríbala de nuevo, por favor.
input-file-too-large = Este archivo es demasiado grande; vuelva a tomar la foto o elija uno más pequeño.
input-file-type = Este archivo no es una foto (JPEG o PNG); elija una foto.
input-file-unreadable = No se pudo leer esta foto; vuelva a tomarla.
input-drawing-too-large = Este dibujo es demasiado grande para guardarlo; bórrelo y vuelva a dibujar su firma.
input-drawing-type = La firma se guarda como un dibujo (PNG); bórrela y vuelva a dibujarla. Su nombre escrito ya sirve de firma.
input-drawing-unreadable = No se pudo leer este dibujo; bórrelo y vuelva a dibujar su firma.

## Respuestas que no cumplen las reglas del formulario

issue-required = Esta pregunta necesita una respuesta.
issue-too-few = Dé al menos { $min } respuestas.
issue-too-many = { $max ->
        [1] Dé solo una respuesta.
       *[other] Dé como máximo { $max } respuestas.
    }
issue-too-many-changes = Este formulario puede añadir como máximo { $max } datos a su expediente a la vez. Quite algunos aquí y traiga el resto a su cita.
issue-below-min = La respuesta debe ser como mínimo { $min }.
issue-above-max = La respuesta debe ser como máximo { $max }.
issue-date-before-min = Escriba una fecha igual o posterior al { $min }.
issue-date-after-max = Escriba una fecha igual o anterior al { $max }.
issue-too-short = Use al menos { $min } caracteres.
issue-too-long = Use como máximo { $max } caracteres.

## Respuestas leídas de nuevo

answer-yes = Sí
answer-no = No
answer-photo-sent = Foto enviada
answer-group = { $count ->
        [one] 1 respuesta
       *[other] { $count } respuestas
    }
